package io.instgenie.verticles.http;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.Addresses;
import io.instgenie.verticles.ServiceException;
import io.instgenie.verticles.ServiceHealth;
import io.instgenie.verticles.ServiceMetrics;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.observe.EditTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API: REST for edits and templates, SSE and WebSocket progress, OpenAI-style edits,
 * health and metrics, the model's facts, and the editing page at {@code /}.
 */
public final class HttpApiVerticle extends VerticleBase {
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(30_000);

  /** The page's files, on the classpath (in the jar); served without a front-end build. */
  static final String WEB_ROOT = "io/instgenie/web";

  /** The routing-context key of the request's trace context. */
  private static final String TRACE = "instgenie.trace";

  /** The OpenAPI contract of these routes, on the classpath. */
  static final String OPENAPI = "openapi.yaml";

  /** What the API needs to know of the service. */
  public record Config(
      String host, int port, long maxBodyBytes, int retryAfterSeconds, long syncTimeoutMs) {}

  private final Config config;
  private final ModelConfig model;
  private final String modelDigest;
  private final ServiceMetrics metrics;
  private final ServiceHealth health;
  private final Runnable drain;
  private final EditTracing tracing;
  private HttpServer server;
  private Router router;

  public HttpApiVerticle(
      Config config,
      ModelConfig model,
      String modelDigest,
      ServiceMetrics metrics,
      ServiceHealth health,
      Runnable drain,
      EditTracing tracing) {
    this.drain = drain;
    this.tracing = tracing;
    this.config = config;
    this.model = model;
    this.modelDigest = modelDigest;
    this.metrics = metrics;
    this.health = health;
  }

  /** The routes as registered (the contract test checks them against openapi.yaml). */
  public List<Route> routes() {
    return router.getRoutes();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    router.route().handler(this::traced);
    // WebSocket first: the upgrade must happen synchronously, before any body handling
    router.get("/v1/edits/:id/ws").handler(this::editWebSocket);
    BodyHandler body =
        BodyHandler.create()
            .setBodyLimit(config.maxBodyBytes())
            .setDeleteUploadedFilesOnEnd(true)
            .setUploadsDirectory(
                Path.of(System.getProperty("java.io.tmpdir"), "instgenie-uploads").toString());
    router.post("/v1/edits").handler(body).handler(this::submitEdit);
    router.get("/v1/edits/:id").handler(this::getEdit);
    router.get("/v1/edits/:id/image").handler(this::getImage);
    router.get("/v1/edits/:id/events").handler(this::editEvents);
    router.delete("/v1/edits/:id").handler(this::cancelEdit);
    router.put("/v1/templates").handler(body).handler(this::putTemplate);
    router.get("/v1/templates/:id").handler(this::getTemplate);
    router.post("/v1/images/edits").handler(body).handler(this::openAiEdit);
    JsonObject modelInfo = ModelInfo.of(model, modelDigest, config.maxBodyBytes());
    router.get("/v1/model").handler(rc -> Responses.json(rc, 200, modelInfo));
    router
        .get("/health/live")
        .handler(rc -> Responses.json(rc, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::healthReady);
    router.post("/admin/drain").handler(this::adminDrain);
    router
        .get("/metrics")
        .handler(
            rc ->
                rc.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end(metrics.scrape()));
    router.get("/openapi.yaml").handler(this::openApi);
    // the page: index.html at /, its modules and the bundled example beside it; file reads are
    // asynchronous, and a path it does not hold falls through to the JSON 404 below
    router
        .route("/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(StaticHandler.create(WEB_ROOT).setMaxAgeSeconds(60));
    router
        .route()
        .last()
        .handler(
            rc ->
                Responses.error(
                    rc, 404, "no route " + rc.request().method() + " " + rc.request().path()));
    router.route().failureHandler(this::failure);
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  /** The contract, from the classpath (verticles/src/main/resources/openapi.yaml). */
  private void openApi(RoutingContext rc) {
    rc.response().putHeader("Content-Type", "application/yaml").sendFile(OPENAPI);
  }

  private void failure(RoutingContext rc) {
    int status = rc.statusCode() > 0 ? rc.statusCode() : ServiceException.statusOf(rc.failure());
    String message =
        switch (status) {
          case 413 -> "request body is larger than " + config.maxBodyBytes() + " bytes";
          case 400 ->
              rc.failure() != null ? "bad request: " + rc.failure().getMessage() : "bad request";
          default -> rc.failure() != null ? rc.failure().getMessage() : "error " + status;
        };
    Responses.error(rc, status, message);
  }

  /** A server span per request, a child of the client's {@code traceparent}; ends with it. */
  private void traced(RoutingContext rc) {
    Context parent = tracing.extract(rc.request().headers());
    Span span =
        tracing
            .tracer()
            .spanBuilder(rc.request().method().name())
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .setAttribute("http.request.method", rc.request().method().name())
            .setAttribute("url.path", rc.request().path())
            .startSpan();
    rc.put(TRACE, parent.with(span));
    rc.addEndHandler(
        ar -> {
          // named after the route that answered, not the path (ids would make every name unique)
          String route = rc.currentRoute() == null ? null : rc.currentRoute().getPath();
          if (route != null) span.updateName(rc.request().method().name() + " " + route);
          span.setAttribute("http.response.status_code", (long) rc.response().getStatusCode());
          span.end();
        });
    rc.next();
  }

  private Future<Accepted> admit(RoutingContext rc, RawEdit raw) {
    Context request = rc.get(TRACE, Context.root());
    return vertx
        .eventBus()
        .<Accepted>request(
            Addresses.ADMIT, raw, EditTracing.carry(request, new DeliveryOptions(TIMEOUT)))
        .map(m -> m.body());
  }

  private void submitEdit(RoutingContext rc) {
    EditForms.read(vertx, rc, false, false)
        .compose(raw -> admit(rc, raw))
        .onSuccess(a -> Responses.json(rc, 202, accepted(a)))
        .onFailure(err -> reject(rc, err));
  }

  private void reject(RoutingContext rc, Throwable err) {
    int status = ServiceException.statusOf(err);
    if (status == ServiceException.TOO_MANY || status == ServiceException.UNAVAILABLE) {
      rc.response().putHeader("Retry-After", String.valueOf(config.retryAfterSeconds()));
    }
    Responses.failure(rc, err);
  }

  private static JsonObject accepted(Accepted a) {
    String base = "/v1/edits/" + a.id();
    return new JsonObject()
        .put("id", a.id())
        .put("template_id", a.templateId())
        .put("seed", a.seed())
        .put("steps", a.steps())
        .put("status_url", base)
        .put("events_url", base + "/events")
        .put("websocket_url", base + "/ws")
        .put("image_url", base + "/image");
  }

  private void getEdit(RoutingContext rc) {
    vertx
        .eventBus()
        .<JobSnapshot>request(Addresses.JOB_GET, rc.pathParam("id"), TIMEOUT)
        .onSuccess(m -> Responses.json(rc, 200, status(m.body())))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private static Map<String, Object> status(JobSnapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("status", s.status().wire());
    m.put("template_id", s.templateId());
    m.put("steps", s.steps());
    m.put("seed", s.seed());
    m.put("queue_position", s.queuePosition());
    m.put("step", s.step());
    if (s.node() != null) m.put("node", s.node()); // clustered: the node it runs (or ran) on
    m.put("timings", s.timings() == null ? null : s.timings().toJson());
    m.put("error", s.error());
    if (s.status() == JobStatus.COMPLETED) m.put("image_url", "/v1/edits/" + s.id() + "/image");
    return m;
  }

  private void getImage(RoutingContext rc) {
    vertx
        .eventBus()
        .<Buffer>request(Addresses.JOB_IMAGE, rc.pathParam("id"), TIMEOUT)
        .onSuccess(m -> rc.response().putHeader("Content-Type", "image/png").end(m.body()))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void cancelEdit(RoutingContext rc) {
    String id = rc.pathParam("id");
    vertx
        .eventBus()
        .<String>request(Addresses.JOB_CANCEL, id, TIMEOUT)
        .onSuccess(
            m ->
                Responses.json(
                    rc,
                    202,
                    new JsonObject()
                        .put("id", id)
                        .put("status", m.body())
                        .put(
                            "cancel",
                            JobStatus.of(m.body()).terminal() ? "too late" : "requested")))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /** Server-Sent Events: the job's history, then live events, one `event:` per JobEvent. */
  private void editEvents(RoutingContext rc) {
    String id = rc.pathParam("id");
    vertx
        .eventBus()
        .<JobSnapshot>request(Addresses.JOB_GET, id, TIMEOUT)
        .onFailure(err -> Responses.failure(rc, err))
        .onSuccess(
            known -> {
              var res =
                  rc.response()
                      .setChunked(true)
                      .putHeader("Content-Type", "text/event-stream")
                      .putHeader("Cache-Control", "no-cache");
              res.write(": following edit " + id + "\n\n");
              ProgressFollower f =
                  ProgressFollower.follow(
                      vertx,
                      id,
                      e ->
                          res.write(
                              "id: "
                                  + e.seq()
                                  + "\nevent: "
                                  + e.type()
                                  + "\ndata: "
                                  + Json.encode(e.toClient())
                                  + "\n\n"));
              boolean cancelOnClose = cancelOnClose(rc);
              rc.request()
                  .connection()
                  .closeHandler(
                      v -> {
                        if (cancelOnClose && !f.end().isComplete()) cancel(id);
                        f.close("closed");
                      });
              f.end()
                  .onComplete(
                      ar -> {
                        if (!res.ended()) res.end();
                      });
            });
  }

  /** WebSocket: the same events as text frames of JSON; closes after the terminal event. */
  private void editWebSocket(RoutingContext rc) {
    String id = rc.pathParam("id");
    boolean cancelOnClose = cancelOnClose(rc);
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      // Vert.x would answer 400 with an empty body: say what is wrong, as JSON like every error
      Responses.error(rc, 400, "this route expects a WebSocket upgrade (Upgrade: websocket)");
      return;
    }
    rc.request()
        .toWebSocket()
        .onSuccess(ws -> follow(ws, id, cancelOnClose))
        .onFailure(err -> rc.fail(400, err));
  }

  /** {@code ?cancel_on_close=1}: the follower's going away cancels the edit. */
  private static boolean cancelOnClose(RoutingContext rc) {
    String v = rc.queryParams().get("cancel_on_close");
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  private void cancel(String id) {
    vertx.eventBus().request(Addresses.JOB_CANCEL, id, TIMEOUT);
  }

  private void follow(ServerWebSocket ws, String id, boolean cancelOnClose) {
    ProgressFollower f =
        ProgressFollower.follow(vertx, id, e -> ws.writeTextMessage(Json.encode(e.toClient())));
    ws.closeHandler(
        v -> {
          if (cancelOnClose && !f.end().isComplete()) cancel(id);
          f.close("closed");
        });
    ws.textMessageHandler(
        text -> {
          if (text.trim().equals("cancel"))
            vertx.eventBus().request(Addresses.JOB_CANCEL, id, TIMEOUT);
        });
    f.end()
        .onComplete(
            ar -> {
              if (ar.failed() && !"closed".equals(ar.cause().getMessage()) && !ws.isClosed()) {
                ws.writeTextMessage(
                    new JsonObject()
                        .put("type", "error")
                        .put("error", ar.cause().getMessage())
                        .encode());
                ws.close((short) 1008, "unknown edit");
              } else if (!ws.isClosed()) {
                ws.close();
              }
            });
  }

  /** Pre-warm: upload a template, answer with its id once its template run is done. */
  private void putTemplate(RoutingContext rc) {
    EditForms.read(vertx, rc, false, true)
        .compose(raw -> admit(rc, raw))
        .compose(
            a -> ProgressFollower.follow(vertx, a.id(), e -> {}).end().map(e -> Map.entry(a, e)))
        .onSuccess(
            p -> {
              if (p.getValue().body() instanceof JobEvent.Completed) {
                Responses.json(
                    rc,
                    200,
                    new JsonObject()
                        .put("template_id", p.getKey().templateId())
                        .put("status", "ready")
                        .put("steps", p.getKey().steps()));
              } else {
                Responses.error(rc, 500, "template run " + outcome(p.getValue()));
              }
            })
        .onFailure(err -> reject(rc, err));
  }

  /** A terminal event other than completed, in words: "failed: why" or "cancelled: ". */
  private static String outcome(JobEvent e) {
    return e.type() + ": " + (e.body() instanceof JobEvent.Failed f ? f.error() : "");
  }

  private void getTemplate(RoutingContext rc) {
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.TEMPLATE_GET, rc.pathParam("id"), TIMEOUT)
        .onSuccess(m -> Responses.json(rc, 200, m.body()))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /** OpenAI-compatible synchronous edits: transparent mask pixels mark the edit; b64_json only. */
  private void openAiEdit(RoutingContext rc) {
    var form = rc.request().formAttributes();
    String format = form.get("response_format");
    if (format != null && !format.equals("b64_json")) {
      Responses.error(
          rc, 400, "response_format must be b64_json (this server does not host image URLs)");
      return;
    }
    int n;
    try {
      Integer given = EditForms.integer(form.get("n"), "n");
      n = given == null ? 1 : given;
    } catch (ServiceException e) {
      Responses.error(rc, 400, e.getMessage());
      return;
    }
    if (n < 1 || n > 8) {
      Responses.error(rc, 400, "n must be between 1 and 8, got " + n);
      return;
    }
    List<Future<Accepted>> admitted = new ArrayList<>();
    // a client that goes away before its answer cancels its edits
    rc.response()
        .closeHandler(
            v -> {
              if (!rc.response().ended()) cancelAll(admitted);
            });
    EditForms.read(vertx, rc, true, false)
        .compose(
            raw -> {
              List<Future<String>> images = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                Future<Accepted> a = admit(rc, raw);
                admitted.add(a);
                images.add(a.compose(this::awaitImage));
              }
              return Future.all(images)
                  .map(
                      all -> {
                        JsonArray data = new JsonArray();
                        for (Future<String> f : images)
                          data.add(new JsonObject().put("b64_json", f.result()));
                        return new JsonObject()
                            .put("created", System.currentTimeMillis() / 1000)
                            .put("data", data);
                      });
            })
        .onSuccess(body -> Responses.json(rc, 200, body))
        .onFailure(
            err -> {
              // one answer for all n: the siblings of a refused or failed edit must not keep
              // running
              cancelAll(admitted);
              reject(rc, err);
            });
  }

  /** Cancels the edits of a synchronous request (those already ended answer "too late"). */
  private void cancelAll(List<Future<Accepted>> admitted) {
    for (Future<Accepted> a : admitted) {
      if (a.succeeded()) cancel(a.result().id());
      else if (!a.isComplete()) a.onSuccess(late -> cancel(late.id()));
    }
  }

  private Future<String> awaitImage(Accepted a) {
    ProgressFollower f = ProgressFollower.follow(vertx, a.id(), e -> {});
    long timer =
        vertx.setTimer(
            config.syncTimeoutMs(),
            t ->
                f.close(
                    "edit "
                        + a.id()
                        + " did not finish within "
                        + config.syncTimeoutMs()
                        + " ms; follow it at /v1/edits/"
                        + a.id()));
    return f.end()
        .compose(
            e -> {
              vertx.cancelTimer(timer);
              if (!(e.body() instanceof JobEvent.Completed)) {
                return Future.failedFuture(new ServiceException(500, "edit " + outcome(e)));
              }
              return vertx
                  .eventBus()
                  .<Buffer>request(Addresses.JOB_IMAGE, a.id(), TIMEOUT)
                  .map(m -> Base64.getEncoder().encodeToString(m.body().getBytes()));
            });
  }

  /** Starts a drain (SIGTERM does the same); answers at once, the process exits once drained. */
  private void adminDrain(RoutingContext rc) {
    drain.run();
    Responses.json(rc, 202, new JsonObject().put("status", "draining"));
  }

  private void healthReady(RoutingContext rc) {
    ServiceHealth.Readiness r = health.readiness();
    JsonObject failed = new JsonObject();
    r.failedWorkers().forEach((w, why) -> failed.put(String.valueOf(w), why));
    Responses.json(
        rc,
        r.ready() ? 200 : 503,
        new JsonObject()
            .put("status", r.status())
            .put("failed_workers", failed)
            .put(
                "model",
                new JsonObject()
                    .put("image_size", model.imageSize())
                    .put("tokens", model.imageTokens())));
  }
}
