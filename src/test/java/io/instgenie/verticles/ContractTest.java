package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.http.auth.ResultUrls;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml against the running service: every route registered on the router is documented and
 * every documented operation is routed; every documented response is provoked over real HTTP and
 * its status, headers and body are checked against the contract.
 */
class ContractTest {
  /** Small enough that a 70 kB body is refused with 413, large enough for the tiny model's PNGs. */
  private static final int MAX_BODY = 64 * 1024;

  /**
   * Documented responses this test does not provoke, each with why; the test fails when this list
   * and the contract disagree, so a new response must be exercised or listed here.
   */
  private static final Map<String, String> NOT_PROVOKED =
      Map.of(
          "PUT /v1/templates 500", "needs a template run that fails (FaultInjectionTest's ground)",
          "POST /v1/images/edits 500", "needs an edit that fails (FaultInjectionTest's ground)",
          "POST /v1/images/edits 409",
              "needs the sync edit's id, which only the logs show, cancelled by another client"
                  + " (SyncEditEndingsTest)");

  /** A user key (tenant acme), an admin key, and a key whose tenant gets 1 request, then 429. */
  private static final String USER = "contract-user-secret";

  private static final String ADMIN = "contract-admin-secret";
  private static final String SLOW = "contract-slow-secret";
  private static final String URL_SECRET = "contract-result-url-secret";

  private static Vertx vertx;
  private static InstGenieService service;
  private static Contract contract;
  private static ContractClient client;
  private static ContractHooks hooks;
  private static Path keys;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    hooks = new ContractHooks();
    keys = Files.createTempFile("instgenie-contract-keys", ".json");
    JsonArray list =
        new JsonArray()
            .add(ApiKeysTest.key("u", "acme", USER, "user"))
            .add(ApiKeysTest.key("ops", "ops", ADMIN, "admin"))
            .add(
                ApiKeysTest.key("s", "slow", SLOW, "user")
                    .put("requests_per_second", 0.001)
                    .put("burst", 1));
    Files.writeString(keys, new JsonObject().put("keys", list).encode());
    ServiceConfig config =
        ServiceClient.config(
            Map.of(
                "queue_capacity",
                "1",
                "max_body_bytes",
                String.valueOf(MAX_BODY),
                "keys_file",
                keys.toString(),
                "result_url_secret",
                URL_SECRET,
                "webhook_allow",
                ServiceClient.HOST,
                "webhook_secret",
                "contract-webhook-secret"));
    service =
        InstGenieService.start(vertx, config, TestImages.model())
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    contract = Contract.load();
    client = new ContractClient(contract, service.port(), USER);
    // the server listens before its worker has warmed up and calibrated; the checks take it ready
    FaultInjectionTest.awaitReady(ServiceClient.of(vertx, service));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    hooks.close();
    Files.deleteIfExists(keys);
  }

  @Test
  @DisplayName("every route on the router is in openapi.yaml, and every documented one is routed")
  void routesAreDocumented() {
    Set<String> routed = new TreeSet<>();
    for (Route r : service.routes()) {
      if (r.getPath() == null) continue; // the JSON 404 fallback and the failure handler
      String path = r.getPath().replaceAll(":(\\w+)", "{$1}");
      assertTrue(
          r.methods() != null && !r.methods().isEmpty(), "route " + path + " names its methods");
      r.methods().forEach(m -> routed.add(m.name() + " " + path));
    }
    assertEquals(contract.operations(), routed, "openapi.yaml's operations vs the router's routes");
  }

  @Test
  @DisplayName("each documented response is what the service answers, successes and errors")
  void responsesMatchContract() throws Exception {
    plainRoutes();
    String id = completedEdit();
    resultUrls(id);
    followers(id);
    templates(id);
    openAiEdit();
    badRequests();
    guards();
    busy();
    draining();
    Set<String> expected = new TreeSet<>(contract.responses());
    expected.removeAll(NOT_PROVOKED.keySet());
    assertEquals(expected, client.seen, "documented responses vs those provoked");
  }

  private void plainRoutes() {
    client.call("GET /v1/model", "/v1/model", null, 200);
    client.call("GET /health/live", "/health/live", null, 200);
    client.call("GET /health/ready", "/health/ready", null, 200);
    client.callAs(ADMIN, "GET /metrics", "/metrics", null, 200);
    // HEAD on every GET resource but the event streams: the headers, no body
    for (String path : List.of("/v1/model", "/health/live", "/health/ready", "/openapi.yaml")) {
      assertEquals(0, client.call("HEAD " + path, path, null, 200).body().length, path);
    }
    client.callAs(ADMIN, "HEAD /metrics", "/metrics", null, 200);
    HttpResponse<byte[]> spec = client.call("GET /openapi.yaml", "/openapi.yaml", null, 200);
    assertTrue(new String(spec.body(), StandardCharsets.UTF_8).startsWith("openapi: 3.1"));
    client.call("GET /", "/", null, 200);
    client.call("HEAD /", "/", null, 200);
    client.call("GET /", "/no-such-file.js", null, 404);
  }

  private static String editJson(long seed, int steps) {
    return edit(seed, steps).encode();
  }

  private static JsonObject edit(long seed, int steps) {
    RgbImage template = TestImages.template(seed);
    return new JsonObject()
        .put("image", TestImages.base64(template))
        .put("mask", TestImages.base64(TestImages.rectMask(2, 2, 6, 6)))
        .put("prompt", "a red circle")
        .put("steps", steps)
        .put("seed", seed);
  }

  /**
   * Submits a 2-step edit with a callback_url and polls until it completes; its webhook matches the
   * contract's WebhookEvent. Answers its id.
   */
  private String completedEdit() throws InterruptedException {
    String body = edit(901, 2).put("callback_url", hooks.url()).encode();
    var accepted = client.call("POST /v1/edits", "/v1/edits", ContractClient.Body.json(body), 202);
    String id = new JsonObject(new String(accepted.body(), StandardCharsets.UTF_8)).getString("id");
    String status = "";
    for (int poll = 0; poll < 1000 && !status.equals("completed"); poll++) {
      var r = client.call("GET /v1/edits/{id}", "/v1/edits/" + id, null, 200);
      status = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getString("status");
      if (!status.equals("completed")) Thread.sleep(20);
    }
    assertEquals("completed", status, "edit " + id + " completed within 1000 polls");
    ContractHooks.Hook hook = hooks.next();
    contract.validate(
        "/webhooks/editEnded/post/requestBody/content/application~1json/schema",
        hook.body(),
        "the webhook of " + id);
    assertTrue(
        hook.signature() != null && hook.signature().matches("t=[0-9]+,v1=[0-9a-f]{64}"),
        "signature header: " + hook.signature());
    // the status now also shows the delivery (validated against EditStatus.webhook)
    client.call("GET /v1/edits/{id}", "/v1/edits/" + id, null, 200);
    var png = client.call("GET /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 200);
    client.call("HEAD /v1/edits/{id}", "/v1/edits/" + id, null, 200);
    var head = client.call("HEAD /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 200);
    assertEquals(0, head.body().length, "HEAD has no body");
    assertEquals("image/png", head.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        String.valueOf(png.body().length),
        head.headers().firstValue("Content-Length").orElse(""),
        "HEAD says the PNG's length");
    client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 202);
    return id;
  }

  /** The completed edit's signed image_url works without a key; tampered or unknown do not. */
  private void resultUrls(String id) {
    var status = client.call("GET /v1/edits/{id}", "/v1/edits/" + id, null, 200);
    String url =
        new JsonObject(new String(status.body(), StandardCharsets.UTF_8)).getString("image_url");
    client.callAs(null, "GET /results/{id}", url, null, 200);
    client.callAs(null, "HEAD /results/{id}", url, null, 200);
    // one hex digit of the signature changed (to another digit: a signature may start with 0)
    int at = url.indexOf("sig=") + 4;
    char tampered = url.charAt(at) == '0' ? '1' : '0';
    String forged = url.substring(0, at) + tampered + url.substring(at + 1);
    client.callAs(null, "GET /results/{id}", forged, null, 403);
    client.callAs(null, "HEAD /results/{id}", forged, null, 403);
    String unknown =
        new ResultUrls(URL_SECRET, 3600).path("nope", System.currentTimeMillis() / 1000);
    client.callAs(null, "GET /results/{id}", unknown, null, 404);
    client.callAs(null, "HEAD /results/{id}", unknown, null, 404);
  }

  /**
   * Every guarded operation: 401 without a key; an admin route 403 with a user key; a user route
   * 429 for a tenant past its rate.
   */
  private void guards() {
    client.callAs(SLOW, "GET /v1/model", "/v1/model", null, 200); // the tenant's one token
    for (String op : contract.operations()) {
      String guard = contract.operation(op).path("x-guard").asText("");
      if (guard.isEmpty()) continue;
      String path = op.split(" ")[1].replace("{id}", "x");
      client.callAs(null, op, path, null, 401);
      if (guard.equals("admin")) client.callAs(USER, op, path, null, 403);
      else client.callAs(SLOW, op, path, null, 429);
    }
  }

  private void followers(String id) {
    String events = "/v1/edits/" + id + "/events";
    HttpResponse<byte[]> all = client.call("GET /v1/edits/{id}/events", events, null, 200);
    String text = new String(all.body(), StandardCharsets.UTF_8);
    String lastId = text.substring(text.lastIndexOf("id: ") + 4).split("\n")[0];
    client.callWith(
        Map.of("Last-Event-ID", lastId), "GET /v1/edits/{id}/events", events, null, 204);
    client.call("GET /v1/edits/{id}/events", events + "?cancel_on_close=2", null, 400);
    ContractSocket.follow(client, contract, id, "GET /v1/edits/{id}/ws 101");
    client.call("GET /v1/edits/{id}/ws", "/v1/edits/" + id + "/ws", null, 400);
  }

  private void templates(String editId) {
    String templateId =
        new JsonObject(
                new String(
                    client.call("GET /v1/edits/{id}", "/v1/edits/" + editId, null, 200).body(),
                    StandardCharsets.UTF_8))
            .getString("template_id");
    client.call("GET /v1/templates/{id}", "/v1/templates/" + templateId, null, 200);
    client.call("HEAD /v1/templates/{id}", "/v1/templates/" + templateId, null, 200);
    String upload =
        new JsonObject().put("image", TestImages.base64(TestImages.template(902))).encode();
    client.call("PUT /v1/templates", "/v1/templates", ContractClient.Body.json(upload), 200);
  }

  private void openAiEdit() {
    client.call(
        "POST /v1/images/edits",
        "/v1/images/edits",
        ContractClient.Body.multipart(
            Map.of("prompt", "a red circle", "n", "1", "steps", "2", "response_format", "url"),
            Map.of(
                "image", TestImages.pngBytes(TestImages.template(908)),
                "mask", TestImages.alphaMaskPng(2, 2, 6, 6))),
        200);
    client.call(
        "POST /v1/images/edits",
        "/v1/images/edits",
        ContractClient.Body.multipart(
            Map.of("prompt", "a red circle", "n", "1", "steps", "2"),
            Map.of(
                "image", TestImages.pngBytes(TestImages.template(903)),
                "mask", TestImages.alphaMaskPng(2, 2, 6, 6))),
        200);
  }

  private void badRequests() {
    for (String id : new String[] {"nope"}) {
      client.call("GET /v1/edits/{id}", "/v1/edits/" + id, null, 404);
      client.call("HEAD /v1/edits/{id}", "/v1/edits/" + id, null, 404);
      client.call("HEAD /v1/templates/{id}", "/v1/templates/" + id, null, 404);
      client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 404);
      client.call("GET /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 404);
      client.call("HEAD /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 404);
      client.call("GET /v1/edits/{id}/events", "/v1/edits/" + id + "/events", null, 404);
      client.call("GET /v1/templates/{id}", "/v1/templates/" + id, null, 404);
    }
    var notJson = ContractClient.Body.json("{not json");
    client.call("POST /v1/edits", "/v1/edits", notJson, 400);
    client.call("PUT /v1/templates", "/v1/templates", notJson, 400);
    client.call("POST /v1/images/edits", "/v1/images/edits", ContractClient.Body.form("n=0"), 400);
    var huge = ContractClient.Body.json("{\"pad\": \"" + "x".repeat(MAX_BODY + 1000) + "\"}");
    client.call("POST /v1/edits", "/v1/edits", huge, 413);
    client.call("PUT /v1/templates", "/v1/templates", huge, 413);
    client.call("POST /v1/images/edits", "/v1/images/edits", huge, 413);
  }

  /** One long edit fills queue_capacity 1: every submission route answers 429 until it ends. */
  private void busy() {
    var accepted =
        client.call(
            "POST /v1/edits",
            "/v1/edits",
            ContractClient.Body.json(editJson(904, ServiceClient.LONG_EDIT_STEPS)),
            202);
    String id = new JsonObject(new String(accepted.body(), StandardCharsets.UTF_8)).getString("id");
    client.call("GET /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 409);
    client.call("HEAD /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 409);
    submissions(429);
    client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 202);
  }

  private void draining() {
    client.callAs(ADMIN, "POST /admin/drain", "/admin/drain", null, 202);
    client.call("GET /health/ready", "/health/ready", null, 503);
    client.call("HEAD /health/ready", "/health/ready", null, 503);
    submissions(503);
  }

  private void submissions(int status) {
    client.call("POST /v1/edits", "/v1/edits", ContractClient.Body.json(editJson(905, 2)), status);
    String upload =
        new JsonObject().put("image", TestImages.base64(TestImages.template(906))).encode();
    client.call("PUT /v1/templates", "/v1/templates", ContractClient.Body.json(upload), status);
    client.call(
        "POST /v1/images/edits",
        "/v1/images/edits",
        ContractClient.Body.multipart(
            Map.of("prompt", "a red circle", "steps", "2"),
            Map.of(
                "image", TestImages.pngBytes(TestImages.template(907)),
                "mask", TestImages.alphaMaskPng(2, 2, 6, 6))),
        status);
  }
}
