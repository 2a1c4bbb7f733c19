package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
          "POST /v1/images/edits 500", "needs an edit that fails (FaultInjectionTest's ground)");

  private static Vertx vertx;
  private static InstGenieService service;
  private static Contract contract;
  private static ContractClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ServiceConfig config =
        ServiceClient.config(
            Map.of("queue_capacity", "1", "max_body_bytes", String.valueOf(MAX_BODY)));
    service =
        InstGenieService.start(vertx, config, TestImages.model())
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    contract = Contract.load();
    client = new ContractClient(contract, service.port());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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
    followers(id);
    templates(id);
    openAiEdit();
    badRequests();
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
    client.call("GET /metrics", "/metrics", null, 200);
    HttpResponse<byte[]> spec = client.call("GET /openapi.yaml", "/openapi.yaml", null, 200);
    assertTrue(new String(spec.body(), StandardCharsets.UTF_8).startsWith("openapi: 3.1"));
    client.call("GET /", "/", null, 200);
    client.call("HEAD /", "/", null, 200);
    client.call("GET /", "/no-such-file.js", null, 404);
  }

  private static String editJson(long seed, int steps) {
    RgbImage template = TestImages.template(seed);
    return new JsonObject()
        .put("image", TestImages.base64(template))
        .put("mask", TestImages.base64(TestImages.rectMask(2, 2, 6, 6)))
        .put("prompt", "a red circle")
        .put("steps", steps)
        .put("seed", seed)
        .encode();
  }

  /** Submits a 2-step edit and polls until it completes; answers its id. */
  private String completedEdit() throws InterruptedException {
    var accepted =
        client.call("POST /v1/edits", "/v1/edits", ContractClient.Body.json(editJson(901, 2)), 202);
    String id = new JsonObject(new String(accepted.body(), StandardCharsets.UTF_8)).getString("id");
    String status = "";
    for (int poll = 0; poll < 1000 && !status.equals("completed"); poll++) {
      var r = client.call("GET /v1/edits/{id}", "/v1/edits/" + id, null, 200);
      status = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getString("status");
      if (!status.equals("completed")) Thread.sleep(20);
    }
    assertEquals("completed", status, "edit " + id + " completed within 1000 polls");
    client.call("GET /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 200);
    client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 202);
    return id;
  }

  private void followers(String id) {
    client.call("GET /v1/edits/{id}/events", "/v1/edits/" + id + "/events", null, 200);
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
    String upload =
        new JsonObject().put("image", TestImages.base64(TestImages.template(902))).encode();
    client.call("PUT /v1/templates", "/v1/templates", ContractClient.Body.json(upload), 200);
  }

  private void openAiEdit() {
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
      client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 404);
      client.call("GET /v1/edits/{id}/image", "/v1/edits/" + id + "/image", null, 404);
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
    submissions(429);
    client.call("DELETE /v1/edits/{id}", "/v1/edits/" + id, null, 202);
  }

  private void draining() {
    client.call("POST /admin/drain", "/admin/drain", null, 202);
    client.call("GET /health/ready", "/health/ready", null, 503);
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
