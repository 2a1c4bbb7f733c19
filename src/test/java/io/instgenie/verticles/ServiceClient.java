package io.instgenie.verticles;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.faults.Faults;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A client of one service started for a test, over real HTTP on its ephemeral port. */
final class ServiceClient {
  static final String HOST = "127.0.0.1";
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

  /**
   * Polls 20 ms apart, 1000 of them: 20 s, far more than any edit here needs and less than a test's
   * 30 s.
   */
  private static final int POLLS = 1000;

  private static final long POLL_MS = 20;

  /**
   * Tests' max_steps: edits of thousands of steps (on the tiny model) stay running while a test
   * acts on them.
   */
  static final int LONG_EDIT_STEPS = 10_000;

  final Vertx vertx;
  final InstGenieService service;
  final DitModel model;
  final WebClient web;
  private final HttpClient http;
  private final WebSocketClient sockets;

  private ServiceClient(Vertx vertx, InstGenieService service, DitModel model) {
    this.vertx = vertx;
    this.service = service;
    this.model = model;
    this.web = WebClient.create(vertx);
    this.http = vertx.createHttpClient();
    this.sockets = vertx.createWebSocketClient();
  }

  /**
   * A service configuration for tests: 127.0.0.1, an ephemeral port, one worker, Retry-After 1 s.
   * Built through {@link ConfigLoader}'s keys (no file, no environment) so that settings added to
   * the record later keep their defaults here.
   */
  static ServiceConfig config(
      int maxBatch,
      int queueCapacity,
      long maxBodyBytes,
      ServiceConfig.Batching batching,
      String backend) {
    Map<String, String> v = new HashMap<>();
    v.put("host", HOST);
    v.put("port", "0");
    v.put("max_batch", String.valueOf(maxBatch));
    v.put("queue_capacity", String.valueOf(queueCapacity));
    v.put("max_body_bytes", String.valueOf(maxBodyBytes));
    v.put("batching", batching.name());
    v.put("workers", "1");
    v.put("cache_memory_bytes", String.valueOf(64L << 20));
    v.put("backend", backend);
    v.put("retry_after_seconds", "1");
    v.put("max_steps", String.valueOf(LONG_EDIT_STEPS));
    return ConfigLoader.load(null, Map.of(), v);
  }

  /** {@link #config()} with some keys set otherwise (ConfigLoader's names and forms). */
  static ServiceConfig config(Map<String, String> changes) {
    ServiceConfig d = ServiceConfig.defaults();
    Map<String, String> v = new HashMap<>();
    v.put("host", HOST);
    v.put("port", "0");
    v.put("workers", "1");
    v.put("cache_memory_bytes", String.valueOf(64L << 20));
    v.put("retry_after_seconds", "1");
    v.put("max_steps", String.valueOf(LONG_EDIT_STEPS));
    v.put("max_batch", String.valueOf(d.maxBatch()));
    v.putAll(changes);
    return ConfigLoader.load(null, Map.of(), v);
  }

  static ServiceConfig config() {
    ServiceConfig d = ServiceConfig.defaults();
    return config(
        d.maxBatch(),
        d.queueCapacity(),
        d.maxBodyBytes(),
        ServiceConfig.Batching.CONTINUOUS,
        "auto");
  }

  /** Starts a service with the tiny model on the given Vert.x. */
  static Future<ServiceClient> start(Vertx vertx, ServiceConfig config) {
    return start(vertx, config, Faults.NONE);
  }

  /** As above, with a fault-injection seam. */
  static Future<ServiceClient> start(Vertx vertx, ServiceConfig config, Faults faults) {
    DitModel model = TestImages.model();
    return InstGenieService.start(vertx, config, model, faults)
        .map(s -> new ServiceClient(vertx, s, model));
  }

  /** A client of a service started elsewhere (a cluster node) on the same Vert.x. */
  static ServiceClient of(Vertx vertx, InstGenieService service) {
    return new ServiceClient(vertx, service, TestImages.model());
  }

  int port() {
    return service.port();
  }

  /** The multipart fields of an edit; null fields are left out. */
  static MultipartForm editForm(
      RgbImage template, RgbImage mask, String prompt, Integer steps, Long seed) {
    MultipartForm form = MultipartForm.create();
    if (template != null)
      form.binaryFileUpload("image", "template.png", TestImages.png(template), "image/png");
    if (mask != null) form.binaryFileUpload("mask", "mask.png", TestImages.png(mask), "image/png");
    if (prompt != null) form.attribute("prompt", prompt);
    if (steps != null) form.attribute("steps", String.valueOf(steps));
    if (seed != null) form.attribute("seed", String.valueOf(seed));
    return form;
  }

  /** The JSON body of an edit with base64 images; null fields are left out. */
  static JsonObject editJson(
      RgbImage template, RgbImage mask, String prompt, Integer steps, Long seed) {
    JsonObject j = new JsonObject();
    if (template != null) j.put("image", TestImages.base64(template));
    if (mask != null) j.put("mask", TestImages.base64(mask));
    if (prompt != null) j.put("prompt", prompt);
    if (steps != null) j.put("steps", steps);
    if (seed != null) j.put("seed", seed);
    return j;
  }

  Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port(), HOST, path).send();
  }

  Future<HttpResponse<Buffer>> delete(String path) {
    return web.delete(port(), HOST, path).send();
  }

  Future<HttpResponse<Buffer>> postJson(String path, JsonObject body) {
    return web.post(port(), HOST, path).sendJsonObject(body);
  }

  Future<HttpResponse<Buffer>> postForm(String path, MultipartForm form) {
    return web.post(port(), HOST, path).sendMultipartForm(form);
  }

  Future<HttpResponse<Buffer>> putForm(String path, MultipartForm form) {
    return web.put(port(), HOST, path).sendMultipartForm(form);
  }

  Future<HttpResponse<Buffer>> post(String path, String contentType, Buffer body) {
    return web.post(port(), HOST, path).putHeader("Content-Type", contentType).sendBuffer(body);
  }

  /** Submits an edit and answers its id; anything but 202 fails with the response. */
  Future<String> submit(MultipartForm form) {
    return postForm("/v1/edits", form)
        .compose(
            r ->
                r.statusCode() == 202
                    ? Future.succeededFuture(r.bodyAsJsonObject().getString("id"))
                    : Future.failedFuture(
                        new AssertionError(
                            "edit not accepted: " + r.statusCode() + " " + r.bodyAsString())));
  }

  /**
   * Polls GET /v1/edits/{id} until the edit is completed, failed or cancelled; fails after the last
   * poll.
   */
  Future<JsonObject> awaitFinished(String id) {
    return poll(
        "edit " + id + " to finish",
        () ->
            get("/v1/edits/" + id)
                .map(
                    r -> {
                      if (r.statusCode() != 200) {
                        throw new AssertionError(
                            "GET /v1/edits/" + id + ": " + r.statusCode() + " " + r.bodyAsString());
                      }
                      return r.bodyAsJsonObject();
                    }),
        s -> TERMINAL.contains(s.getString("status")));
  }

  /** One value from the Prometheus text at /metrics (the first sample of that exact name). */
  Future<Double> metric(String name) {
    return get("/metrics")
        .map(
            r -> {
              for (String line : r.bodyAsString().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                  return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
              }
              throw new AssertionError("/metrics has no sample " + name);
            });
  }

  /**
   * Opens the edit's Server-Sent Events stream; a status other than 200 fails. The request runs on
   * one event loop, so the stream's handlers are set before any of its body can arrive (from a test
   * thread, a finished edit's whole stream could end before they were).
   */
  Future<EventStream> sse(String id) {
    return sse(id, null);
  }

  /** As {@link #sse(String)}, resuming after the event {@code lastEventId} (none when null). */
  Future<EventStream> sse(String id, Long lastEventId) {
    Promise<EventStream> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> openSse(id, lastEventId).onComplete(opened));
    return opened.future();
  }

  private Future<EventStream> openSse(String id, Long lastEventId) {
    return http.request(HttpMethod.GET, port(), HOST, "/v1/edits/" + id + "/events")
        .compose(
            req -> {
              if (lastEventId != null) req.putHeader("Last-Event-ID", lastEventId.toString());
              return req.send();
            })
        .compose(
            res -> {
              if (res.statusCode() != 200) {
                return res.body()
                    .compose(
                        b ->
                            Future.failedFuture(
                                new AssertionError(
                                    "SSE for " + id + ": " + res.statusCode() + " " + b)));
              }
              if (!res.getHeader("Content-Type").startsWith("text/event-stream")) {
                return Future.failedFuture(
                    new AssertionError("SSE content type is " + res.getHeader("Content-Type")));
              }
              return Future.succeededFuture(EventStream.sse(res));
            });
  }

  /** Opens the edit's WebSocket progress stream. */
  Future<EventStream> ws(String id) {
    return sockets.connect(port(), HOST, "/v1/edits/" + id + "/ws").map(EventStream::ws);
  }

  /**
   * Repeats {@code probe} every 20 ms until {@code done} holds, and fails with {@code what} and the
   * last value when it never does.
   */
  <T> Future<T> poll(String what, Supplier<Future<T>> probe, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    pollOnce(what, probe, done, POLLS, result);
    return result.future();
  }

  private <T> void pollOnce(
      String what, Supplier<Future<T>> probe, Predicate<T> done, int left, Promise<T> result) {
    probe
        .get()
        .onComplete(
            ar -> {
              boolean finished;
              try {
                if (ar.failed()) throw ar.cause();
                finished = done.test(ar.result());
              } catch (Throwable t) {
                result.fail(t);
                return;
              }
              if (finished) {
                result.complete(ar.result());
              } else if (left <= 1) {
                result.fail(
                    new AssertionError(
                        "gave up waiting for "
                            + what
                            + " after "
                            + POLLS
                            + " polls; last: "
                            + ar.result()));
              } else {
                vertx.setTimer(POLL_MS, t -> pollOnce(what, probe, done, left - 1, result));
              }
            });
  }
}
