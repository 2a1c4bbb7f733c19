package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.http.auth.KeyRing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API keys and tenants over real HTTP: a service with a keys file of five keys. */
@ExtendWith(VertxExtension.class)
class ApiKeysTest {
  static final String A = "secret-of-acme";
  static final String B = "secret-of-bolt"; // tenant bolt: at most 1 unfinished edit
  static final String C = "secret-of-cog"; // tenant cog: 3 requests, then 0.001 per second
  static final String D = "secret-of-dune"; // removed from the file by one test
  static final String ADMIN = "secret-of-ops";
  static final String URL_SECRET = "result-url-secret";

  static ServiceClient client;
  static Path keys;

  static JsonObject key(String id, String tenant, String secret, String role) {
    return new JsonObject()
        .put("id", id)
        .put("tenant", tenant)
        .put("sha256", KeyRing.sha256Hex(secret))
        .put("role", role);
  }

  static JsonArray keyList(boolean withDune) {
    JsonArray list =
        new JsonArray()
            .add(key("a", "acme", A, "user"))
            .add(key("b", "bolt", B, "user").put("max_unfinished", 1))
            .add(key("c", "cog", C, "user").put("requests_per_second", 0.001).put("burst", 3))
            .add(key("ops", "ops", ADMIN, "admin"));
    if (withDune) list.add(key("d", "dune", D, "user"));
    return list;
  }

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    keys = Files.createTempFile("instgenie-keys", ".json");
    Files.writeString(keys, new JsonObject().put("keys", keyList(true)).encode());
    ServiceClient.start(
            vertx,
            ServiceClient.config(
                Map.of("keys_file", keys.toString(), "result_url_secret", URL_SECRET)))
        .onComplete(
            ctx.succeeding(
                c -> {
                  client = c;
                  ctx.completeNow();
                }));
  }

  @AfterAll
  static void stop(Vertx vertx, VertxTestContext ctx) throws Exception {
    Files.deleteIfExists(keys);
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  static HttpRequest<Buffer> as(String secret, HttpMethod method, String path) {
    HttpRequest<Buffer> r = client.web.request(method, client.port(), ServiceClient.HOST, path);
    return secret == null ? r : r.bearerTokenAuthentication(secret);
  }

  static MultipartForm longEdit(long seed) {
    return ServiceClient.editForm(
        TestImages.template(seed),
        TestImages.rectMask(0, 0, 4, 4),
        "a red circle",
        ServiceClient.LONG_EDIT_STEPS,
        1L);
  }

  static Future<JsonObject> submit(String secret, MultipartForm form) {
    return as(secret, HttpMethod.POST, "/v1/edits")
        .sendMultipartForm(form)
        .map(
            r -> {
              assertEquals(202, r.statusCode(), r.bodyAsString());
              return r.bodyAsJsonObject();
            });
  }

  /** Every guarded route: method and path (ids that need not exist: the gate answers first). */
  static final List<String[]> ROUTES =
      List.of(
          new String[] {"GET", "/v1/model"},
          new String[] {"POST", "/v1/edits"},
          new String[] {"GET", "/v1/edits/x"},
          new String[] {"GET", "/v1/edits/x/image"},
          new String[] {"GET", "/v1/edits/x/events"},
          new String[] {"DELETE", "/v1/edits/x"},
          new String[] {"PUT", "/v1/templates"},
          new String[] {"GET", "/v1/templates/x"},
          new String[] {"POST", "/v1/images/edits"},
          new String[] {"GET", "/metrics"},
          new String[] {"POST", "/admin/drain"});

  @Test
  @DisplayName(
      "every /v1, /metrics and /admin route answers 401 without a key or with an unknown one;"
          + " /metrics and /admin answer 403 to a user's key; health stays open")
  void routesNeedKeys(VertxTestContext ctx) {
    List<Future<?>> checks = new ArrayList<>();
    for (String[] route : ROUTES) {
      HttpMethod m = HttpMethod.valueOf(route[0]);
      for (String secret : new String[] {null, "not-a-key"}) {
        checks.add(
            as(secret, m, route[1])
                .send()
                .map(r -> expect(r, 401, route, secret == null ? "no key" : "unknown key")));
      }
      if (route[1].startsWith("/metrics") || route[1].startsWith("/admin")) {
        checks.add(as(A, m, route[1]).send().map(r -> expect(r, 403, route, "user key")));
      }
    }
    checks.add(
        as(ADMIN, HttpMethod.GET, "/metrics").send().map(r -> expect(r, 200, null, "admin")));
    checks.add(as(A, HttpMethod.GET, "/v1/model").send().map(r -> expect(r, 200, null, "user")));
    checks.add(
        as(null, HttpMethod.GET, "/health/live").send().map(r -> expect(r, 200, null, "health")));
    for (String secret : new String[] {null, "not-a-key"}) {
      checks.add(
          rawUpgrade("/v1/edits/x/ws", secret)
              .map(
                  head -> {
                    assertTrue(
                        head.startsWith("HTTP/1.1 401"),
                        "a WebSocket with " + secret + " as its key is refused with 401: " + head);
                    assertTrue(
                        head.toLowerCase(java.util.Locale.ROOT)
                            .contains("www-authenticate: bearer"),
                        "the refusal names the scheme: " + head);
                    return head;
                  }));
    }
    Future.all(checks).onComplete(ctx.succeedingThenComplete());
  }

  private static Object expect(HttpResponse<Buffer> r, int status, String[] route, String who) {
    assertEquals(
        status,
        r.statusCode(),
        (route == null ? "" : route[0] + " " + route[1])
            + " with "
            + who
            + ": "
            + r.bodyAsString());
    if (status == 401)
      assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"), "401 names the scheme");
    return r;
  }

  @Test
  @DisplayName(
      "tenant B gets 404 for A's edit (status, image, events, WebSocket, cancel) and template,"
          + " exactly as for an unknown id; A sees and cancels its own")
  void tenantsAreIsolated(VertxTestContext ctx) {
    submit(A, longEdit(9101))
        .compose(
            a -> {
              String id = a.getString("id");
              String tid = a.getString("template_id");
              List<Future<?>> asB = new ArrayList<>();
              for (String path :
                  List.of(
                      "/v1/edits/" + id,
                      "/v1/edits/" + id + "/image",
                      "/v1/edits/" + id + "/events",
                      "/v1/templates/" + tid)) {
                asB.add(as(B, HttpMethod.GET, path).send().map(r -> notFound(r, path)));
              }
              asB.add(
                  as(B, HttpMethod.DELETE, "/v1/edits/" + id)
                      .send()
                      .map(r -> notFound(r, "DELETE")));
              JsonObject byTemplate =
                  ServiceClient.editJson(
                          null, TestImages.rectMask(0, 0, 4, 4), "a red circle", 2, 1L)
                      .put("template_id", tid);
              asB.add(
                  as(B, HttpMethod.POST, "/v1/edits")
                      .sendJsonObject(byTemplate)
                      .map(r -> notFound(r, "an edit by A's template id")));
              asB.add(wsAsB(id));
              return Future.all(asB)
                  .compose(v -> as(A, HttpMethod.GET, "/v1/templates/" + tid).send())
                  .compose(
                      t -> {
                        assertEquals(
                            200, t.statusCode(), "A knows its template: " + t.bodyAsString());
                        return as(A, HttpMethod.GET, "/v1/edits/" + id).send();
                      })
                  .compose(
                      s -> {
                        assertEquals(200, s.statusCode(), s.bodyAsString());
                        return as(A, HttpMethod.DELETE, "/v1/edits/" + id).send();
                      })
                  .map(
                      c -> {
                        assertEquals(202, c.statusCode(), c.bodyAsString());
                        return c;
                      });
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Object notFound(HttpResponse<Buffer> r, String what) {
    assertEquals(404, r.statusCode(), "B asks for A's " + what + ": " + r.bodyAsString());
    assertTrue(r.bodyAsJsonObject().getString("error").startsWith("unknown"), r.bodyAsString());
    return r;
  }

  @Test
  @DisplayName(
      "With a key, a WebSocket follower's cancel sent the moment the 101 arrives is not lost"
          + " while its tenant is checked: the edit ends cancelled")
  void webSocketCancelRightAfterOpening(VertxTestContext ctx) {
    submit(A, longEdit(31))
        .compose(a -> rawSocketCancel(a.getString("id")).map(a.getString("id")))
        .compose(
            id ->
                client.poll(
                    "the edit to end",
                    () ->
                        as(A, HttpMethod.GET, "/v1/edits/" + id)
                            .send()
                            .map(r -> r.bodyAsJsonObject().getString("status")),
                    st -> !st.equals("queued") && !st.equals("running")))
        .onComplete(
            ctx.succeeding(
                status ->
                    ctx.verify(
                        () -> {
                          assertEquals("cancelled", status, "the cancel reached the edit");
                          ctx.completeNow();
                        })));
  }

  /** A WebSocket upgrade request for {@code path}, with {@code secret} as its key or none. */
  private static String upgradeRequest(String path, String secret) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: "
        + ServiceClient.HOST
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (secret == null ? "" : "Authorization: Bearer " + secret + "\r\n")
        + "\r\n";
  }

  /**
   * The head of the server's answer to a WebSocket upgrade of {@code path} (with {@code secret} as
   * the key, or none), read over a plain TCP socket: what a browser receives. (Vert.x's WebSocket
   * client sometimes reports a refused upgrade as "connection closed while handshake in process"
   * instead of the status when the server closes right after answering.)
   */
  private static Future<String> rawUpgrade(String path, String secret) {
    String request = upgradeRequest(path, secret);
    io.vertx.core.Promise<String> head = io.vertx.core.Promise.promise();
    client
        .vertx
        .createNetClient()
        .connect(client.port(), ServiceClient.HOST)
        .onFailure(head::fail)
        .onSuccess(
            socket -> {
              StringBuilder got = new StringBuilder();
              socket.handler(
                  data -> {
                    got.append(data.toString(StandardCharsets.ISO_8859_1));
                    int end = got.indexOf("\r\n\r\n");
                    if (end >= 0 && head.tryComplete(got.substring(0, end))) socket.close();
                  });
              socket.closeHandler(v -> head.tryFail("closed before an answer: " + got));
              socket.write(Buffer.buffer(request, "ISO-8859-1"));
            });
    return head.future();
  }

  /**
   * Opens the edit's WebSocket with A's key over a plain TCP socket and writes a masked text frame
   * {@code cancel} as soon as the handshake's answer arrives, before anything else: what a quick
   * client does, and faster than the server's tenant check.
   */
  private static Future<Void> rawSocketCancel(String id) {
    byte[] mask = {1, 2, 3, 4};
    byte[] text = "cancel".getBytes(StandardCharsets.US_ASCII);
    Buffer frame = Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) (0x80 | text.length));
    frame.appendBytes(mask);
    for (int i = 0; i < text.length; i++) frame.appendByte((byte) (text[i] ^ mask[i % 4]));
    String handshake = upgradeRequest("/v1/edits/" + id + "/ws", A);
    io.vertx.core.Promise<Void> sent = io.vertx.core.Promise.promise();
    client
        .vertx
        .createNetClient()
        .connect(client.port(), ServiceClient.HOST)
        .onFailure(sent::fail)
        .onSuccess(
            socket -> {
              StringBuilder head = new StringBuilder();
              socket.handler(
                  data -> {
                    if (sent.future().isComplete()) return;
                    head.append(data.toString(StandardCharsets.ISO_8859_1));
                    if (!head.toString().contains("\r\n\r\n")) return;
                    if (!head.toString().startsWith("HTTP/1.1 101")) {
                      sent.fail(new AssertionError("no upgrade: " + head));
                      return;
                    }
                    socket.write(frame).onComplete(sent);
                  });
              socket.write(Buffer.buffer(handshake, "ISO-8859-1"));
            });
    return sent.future();
  }

  /**
   * B's WebSocket on A's edit hears no event of it: an error naming an unknown id, then the close
   * (a close that overtakes the handshake counts as refused too; the server closes at once).
   */
  private static Future<Object> wsAsB(String id) {
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(ServiceClient.HOST)
            .setPort(client.port())
            .setURI("/v1/edits/" + id + "/ws")
            .addHeader("Authorization", "Bearer " + B);
    return client
        .vertx
        .createWebSocketClient()
        .connect(o)
        .compose(
            ws -> {
              List<String> heard = new ArrayList<>();
              io.vertx.core.Promise<List<String>> closed = io.vertx.core.Promise.promise();
              ws.textMessageHandler(heard::add);
              ws.closeHandler(v -> closed.tryComplete(heard));
              return closed.future();
            })
        .otherwise(err -> List.of())
        .map(
            heard -> {
              for (String text : heard)
                assertTrue(
                    text.contains("\"type\":\"error\"") && text.contains("unknown edit id"),
                    "B's WebSocket on A's edit hears only an unknown id: " + heard);
              return heard;
            });
  }

  @Test
  @DisplayName(
      "a tenant past its unfinished edits, or past its request rate, gets 429 with Retry-After"
          + " while another tenant is served")
  void perTenantLimits(VertxTestContext ctx) {
    submit(B, longEdit(9201))
        .compose(
            first ->
                as(B, HttpMethod.POST, "/v1/edits")
                    .sendMultipartForm(longEdit(9202))
                    .compose(
                        second -> {
                          assertEquals(429, second.statusCode(), second.bodyAsString());
                          assertTrue(second.getHeader("Retry-After") != null, "Retry-After");
                          assertTrue(
                              second.bodyAsJsonObject().getString("error").contains("bolt"),
                              second.bodyAsString());
                          return submit(A, longEdit(9203));
                        })
                    .compose(
                        other ->
                            Future.all(
                                as(B, HttpMethod.DELETE, "/v1/edits/" + first.getString("id"))
                                    .send(),
                                as(A, HttpMethod.DELETE, "/v1/edits/" + other.getString("id"))
                                    .send())))
        .compose(v -> rateOfCog())
        .onComplete(ctx.succeedingThenComplete());
  }

  /** cog's bucket holds 3 tokens and refills one per 1000 s: the 4th request is refused. */
  private static Future<?> rateOfCog() {
    return as(C, HttpMethod.GET, "/v1/model")
        .send()
        .compose(r -> as(C, HttpMethod.GET, "/v1/model").send())
        .compose(r -> as(C, HttpMethod.GET, "/v1/model").send())
        .compose(
            third -> {
              assertEquals(200, third.statusCode(), "the 3rd request is within the burst");
              return as(C, HttpMethod.GET, "/v1/model").send();
            })
        .compose(
            fourth -> {
              assertEquals(429, fourth.statusCode(), fourth.bodyAsString());
              long retry = Long.parseLong(fourth.getHeader("Retry-After"));
              assertTrue(retry >= 900 && retry <= 1000, "a token is back in ~1000 s: " + retry);
              return as(A, HttpMethod.GET, "/v1/model").send();
            })
        .map(
            other -> {
              assertEquals(200, other.statusCode(), "another tenant is served meanwhile");
              return other;
            });
  }

  @Test
  @DisplayName("a key removed from the keys file stops working without a restart")
  void removedKeyStopsWorking(VertxTestContext ctx) {
    as(D, HttpMethod.GET, "/v1/model")
        .send()
        .compose(
            before -> {
              assertEquals(200, before.statusCode(), "dune's key works at first");
              try {
                Path tmp = Files.createTempFile(keys.getParent(), "keys", ".tmp");
                Files.writeString(tmp, new JsonObject().put("keys", keyList(false)).encode());
                Files.move(tmp, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
              } catch (Exception e) {
                return Future.failedFuture(e);
              }
              return client.poll(
                  "dune's key to be refused",
                  () -> as(D, HttpMethod.GET, "/v1/model").send().map(HttpResponse::statusCode),
                  s -> s == 401);
            })
        .compose(v -> as(A, HttpMethod.GET, "/v1/model").send())
        .map(
            a -> {
              assertEquals(200, a.statusCode(), "the other keys still work");
              return a;
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName(
      "a completed edit's image_url works without a key; a tampered or expired signature gets"
          + " 403, a signed unknown id 404")
  void resultUrls(VertxTestContext ctx) {
    submit(
            A,
            ServiceClient.editForm(
                TestImages.template(9301), TestImages.rectMask(0, 0, 4, 4), "a red circle", 2, 1L))
        .compose(
            a ->
                client.poll(
                    "the edit to complete",
                    () ->
                        as(A, HttpMethod.GET, "/v1/edits/" + a.getString("id"))
                            .send()
                            .map(HttpResponse::bodyAsJsonObject),
                    s -> "completed".equals(s.getString("status"))))
        .compose(
            s -> {
              String id = s.getString("id");
              String url = s.getString("image_url");
              long past = System.currentTimeMillis() / 1000 - 10;
              String expired = "/results/" + id + "?expires=" + past + "&sig=" + sign(id, past);
              String tampered =
                  url.replaceFirst("sig=.", "sig=" + (url.contains("sig=0") ? "1" : "0"));
              long later = System.currentTimeMillis() / 1000 + 100;
              String unknown = "/results/nope?expires=" + later + "&sig=" + sign("nope", later);
              return Future.all(
                  as(null, HttpMethod.GET, url).send().map(r -> status(r, 200, "signed URL")),
                  as(null, HttpMethod.GET, tampered).send().map(r -> status(r, 403, "tampered")),
                  as(null, HttpMethod.GET, expired).send().map(r -> status(r, 403, "expired")),
                  as(null, HttpMethod.GET, unknown).send().map(r -> status(r, 404, "unknown id")));
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Object status(HttpResponse<Buffer> r, int expected, String what) {
    assertEquals(expected, r.statusCode(), what + ": " + r.bodyAsString());
    if (expected == 200) assertEquals("image/png", r.getHeader("Content-Type"));
    return r;
  }

  /** The result URL's signature, computed here independently of the service's code. */
  static String sign(String id, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(URL_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((id + "." + expires).getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
