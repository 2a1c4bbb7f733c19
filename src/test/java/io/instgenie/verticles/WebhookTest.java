package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Webhooks over real HTTP, to a local receiver: signature, retries, giving up, the allow-list. */
@ExtendWith(VertxExtension.class)
class WebhookTest {
  static final String SECRET = "whsec-test";
  static final long RETRY_MS = 3000;

  /** One request the receiver got: when, its signature header, its body. */
  record Hit(long atMs, String signature, String body) {}

  static ServiceClient client;
  static HttpServer receiver;
  static final Map<String, List<Hit>> hits = new ConcurrentHashMap<>();
  static final AtomicInteger flakyCalls = new AtomicInteger();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          hits.computeIfAbsent(req.path(), p -> new CopyOnWriteArrayList<>())
                              .add(
                                  new Hit(
                                      System.currentTimeMillis(),
                                      req.getHeader("X-InstGenIE-Signature"),
                                      b.toString()));
                          int status =
                              switch (req.path()) {
                                case "/ok" -> 200;
                                case "/flaky" -> flakyCalls.incrementAndGet() <= 2 ? 500 : 204;
                                default -> 500;
                              };
                          req.response().setStatusCode(status).end();
                        }))
        .listen(0, ServiceClient.HOST)
        .compose(
            s -> {
              receiver = s;
              return ServiceClient.start(
                  vertx,
                  ServiceClient.config(
                      Map.of(
                          "webhook_allow",
                          "127.0.0.1, *.example.org",
                          "webhook_secret",
                          SECRET,
                          "webhook_retry_ms",
                          String.valueOf(RETRY_MS))));
            })
        .onComplete(
            ctx.succeeding(
                c -> {
                  client = c;
                  ctx.completeNow();
                }));
  }

  @AfterAll
  static void stop(Vertx vertx, VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  static String hook(String path) {
    return "http://" + ServiceClient.HOST + ":" + receiver.actualPort() + path;
  }

  static MultipartForm edit(long seed, int steps, String callback) {
    MultipartForm f =
        ServiceClient.editForm(
            TestImages.template(seed), TestImages.rectMask(0, 0, 4, 4), "a red circle", steps, 1L);
    return f.attribute("callback_url", callback);
  }

  /** Polls the edit's status until its webhook is delivered or given up. */
  static Future<JsonObject> webhookSettled(String id) {
    return client.poll(
        "edit " + id + "'s webhook to settle",
        () -> client.get("/v1/edits/" + id).map(r -> r.bodyAsJsonObject()),
        s ->
            s.getJsonObject("webhook") != null
                && (s.getJsonObject("webhook").getBoolean("delivered")
                    || s.getJsonObject("webhook").getBoolean("gave_up")));
  }

  @Test
  @DisplayName(
      "a completed edit's webhook carries a signature that verifies with the secret, and its"
          + " image_url works")
  void signatureVerifies(VertxTestContext ctx) {
    client
        .submit(edit(8101, 2, hook("/ok")))
        .compose(WebhookTest::webhookSettled)
        .compose(
            s -> {
              JsonObject w = s.getJsonObject("webhook");
              assertTrue(w.getBoolean("delivered"), "delivered: " + s);
              assertEquals(1, w.getInteger("attempts"), s.encode());
              assertEquals(200, w.getInteger("last_status"));
              List<Hit> got = hits.get("/ok");
              assertEquals(1, got.size(), "one POST");
              Hit h = got.get(0);
              assertTrue(verifies(h), "signature " + h.signature() + " of " + h.body());
              JsonObject event = new JsonObject(h.body());
              assertEquals("edit.completed", event.getString("type"));
              assertEquals(s.getString("id"), event.getString("id"));
              Hit forged =
                  new Hit(h.atMs(), h.signature(), h.body().replace("completed", "failed"));
              assertFalse(verifies(forged), "a changed body does not verify");
              return client.web.getAbs(event.getString("image_url")).send();
            })
        .onComplete(
            ctx.succeeding(
                img ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, img.statusCode(), img.bodyAsString());
                          ctx.completeNow();
                        })));
  }

  /** The receiver's check, as README says: HMAC-SHA256(secret, t + "." + body) in hex is v1. */
  static boolean verifies(Hit h) {
    String t = null;
    String v1 = null;
    for (String part : h.signature().split(",")) {
      if (part.startsWith("t=")) t = part.substring(2);
      if (part.startsWith("v1=")) v1 = part.substring(3);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] sig = mac.doFinal((t + "." + h.body()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sig).equals(v1);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName(
      "a receiver that answers 500 twice gets the event a third time, then it is delivered")
  void retriesAfter500s(VertxTestContext ctx) {
    client
        .submit(edit(8201, 2, hook("/flaky")))
        .compose(WebhookTest::webhookSettled)
        .onComplete(
            ctx.succeeding(
                s ->
                    ctx.verify(
                        () -> {
                          JsonObject w = s.getJsonObject("webhook");
                          assertTrue(w.getBoolean("delivered"), "delivered at last: " + s);
                          assertEquals(3, w.getInteger("attempts"), s.encode());
                          assertEquals(204, w.getInteger("last_status"));
                          List<Hit> got = hits.get("/flaky");
                          assertEquals(3, got.size());
                          for (Hit h : got) assertTrue(verifies(h), "each attempt is signed");
                          assertEquals(got.get(0).body(), got.get(2).body(), "the same event");
                          ctx.completeNow();
                        })));
  }

  @Test
  @DisplayName(
      "a receiver that always answers 500 is retried, never past webhook_retry_ms, then given up;"
          + " a cancelled edit's event says cancelled and has no image_url")
  void givesUp(VertxTestContext ctx) {
    client
        .submit(edit(8301, ServiceClient.LONG_EDIT_STEPS, hook("/down")))
        .compose(id -> client.delete("/v1/edits/" + id).map(r -> id))
        .compose(WebhookTest::webhookSettled)
        .onComplete(
            ctx.succeeding(
                s ->
                    ctx.verify(
                        () -> {
                          JsonObject w = s.getJsonObject("webhook");
                          assertTrue(w.getBoolean("gave_up"), "gave up: " + s);
                          assertFalse(w.getBoolean("delivered"));
                          assertEquals(500, w.getInteger("last_status"));
                          List<Hit> got = hits.get("/down");
                          assertEquals(w.getInteger("attempts"), got.size(), "attempts = POSTs");
                          assertTrue(got.size() >= 2, "retried at least once: " + got.size());
                          long span = got.get(got.size() - 1).atMs() - got.get(0).atMs();
                          assertTrue(span <= RETRY_MS, "no attempt past the retry time: " + span);
                          JsonObject event = new JsonObject(got.get(0).body());
                          assertEquals("edit.cancelled", event.getString("type"));
                          assertFalse(
                              event.containsKey("image_url"),
                              "no image_url (not even null) without an image: " + event);
                          ctx.completeNow();
                        })));
  }

  @Test
  @DisplayName(
      "a callback_url whose host is not allowed, that is not http(s), or that is empty, is refused"
          + " with 400 at submission")
  void notAllowedHostRefused(VertxTestContext ctx) {
    Future.all(
            refused(
                client.postForm("/v1/edits", edit(8401, 2, "http://169.254.169.254/hook")),
                "not allowed"),
            refused(
                client.postForm(
                    "/v1/edits", edit(8402, 2, "http://evil.example.org.attacker.net/")),
                "not allowed"),
            refused(
                client.postForm("/v1/edits", edit(8403, 2, "ftp://127.0.0.1/x")), "http or https"),
            refused(
                client.postJson(
                    "/v1/edits",
                    ServiceClient.editJson(
                            TestImages.template(8404),
                            TestImages.rectMask(0, 0, 4, 4),
                            "a red circle",
                            2,
                            1L)
                        .put("callback_url", "http://10.0.0.1/")),
                "not allowed"),
            // sent empty is refused, as any empty field, not read as "no webhook"
            refused(client.postForm("/v1/edits", edit(8405, 2, "")), "callback_url is empty"),
            refused(
                client.postJson(
                    "/v1/edits",
                    ServiceClient.editJson(
                            TestImages.template(8406),
                            TestImages.rectMask(0, 0, 4, 4),
                            "a red circle",
                            2,
                            1L)
                        .put("callback_url", " ")),
                "callback_url is empty"))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Object> refused(
      Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> r, String says) {
    return r.map(
        res -> {
          assertEquals(400, res.statusCode(), res.bodyAsString());
          assertTrue(res.bodyAsJsonObject().getString("error").contains(says), res.bodyAsString());
          return res;
        });
  }
}
