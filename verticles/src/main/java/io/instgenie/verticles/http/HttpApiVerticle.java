package io.instgenie.verticles.http;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.http.auth.ApiAccess;
import io.instgenie.verticles.http.auth.Gate;
import io.instgenie.verticles.http.auth.ResultUrls;
import io.instgenie.verticles.http.auth.Role;
import io.instgenie.verticles.http.auth.SecurityConfig;
import io.instgenie.verticles.http.reply.Responses;
import io.instgenie.verticles.http.webhook.CallbackUrls;
import io.instgenie.verticles.http.webhook.Webhooks;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.metrics.ServiceHealth;
import io.instgenie.verticles.metrics.ServiceMetrics;
import io.instgenie.verticles.observe.EditTracing;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;
import java.util.List;

/**
 * The HTTP API: REST for edits and templates, SSE and WebSocket progress, OpenAI-style edits,
 * health and metrics, the model's facts, signed result URLs, and the editing page at {@code /}.
 * With API keys, {@code /v1} needs a key ({@link Gate}) and {@code /metrics} and {@code /admin} an
 * admin's; health, the page and result URLs stay open.
 */
public final class HttpApiVerticle extends VerticleBase {
  /** The page's files, on the classpath (in the jar); served without a front-end build. */
  static final String WEB_ROOT = "io/instgenie/web";

  /** The OpenAPI contract of these routes, on the classpath. */
  static final String OPENAPI = "openapi.yaml";

  /** The longest request line (method, path and query) read; a longer one is answered 414. */
  private static final int MAX_REQUEST_LINE = 64 * 1024;

  /** What the API needs to know of the service. */
  public record Config(
      String host,
      int port,
      long maxBodyBytes,
      int retryAfterSeconds,
      long syncTimeoutMs,
      SecurityConfig security) {}

  private final Config config;
  private final ModelConfig model;
  private final String modelDigest;
  private final ServiceMetrics metrics;
  private final ServiceHealth health;
  private final Runnable drain;
  private final ApiAccess access;
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
      ApiAccess access,
      EditTracing tracing) {
    this.tracing = tracing;
    this.drain = drain;
    this.config = config;
    this.model = model;
    this.modelDigest = modelDigest;
    this.metrics = metrics;
    this.health = health;
    this.access = access;
  }

  /** The routes as registered (the contract test checks them against openapi.yaml). */
  public List<Route> routes() {
    return router.getRoutes();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  /** Set at start; touched on this verticle's event loop only. */
  private Webhooks webhooks;

  /**
   * Thread-safe: completes once every webhook of this node has been delivered or given up, or after
   * {@code timeoutMs} (at once before start).
   */
  public Future<Void> webhooksSettled(long timeoutMs) {
    if (context == null) return Future.succeededFuture();
    Promise<Void> settled = Promise.promise();
    context.runOnContext(
        v -> {
          if (webhooks == null) settled.complete();
          else webhooks.settled(timeoutMs).onComplete(settled);
        });
    return settled.future();
  }

  @Override
  public Future<?> start() {
    SecurityConfig sec = config.security();
    ResultUrls results = new ResultUrls(sec.resultUrlSecret(), sec.resultUrlTtlSeconds());
    Calls calls = new Calls(vertx, config.retryAfterSeconds());
    webhooks = new Webhooks(vertx, sec.webhookRetryMs());
    EditHooks hooks =
        new EditHooks(
            vertx, new CallbackUrls(sec.webhookAllow()), sec.webhookSecret(), webhooks, results);
    EditRoutes edits = new EditRoutes(vertx, calls, results, hooks);
    TemplateRoutes templates = new TemplateRoutes(vertx, calls);
    OpenAiEdits openAi =
        new OpenAiEdits(vertx, calls, results, config.syncTimeoutMs(), model.imageSize());
    Gate gate = new Gate(access);
    Handler<RoutingContext> user = gate.require(Role.USER);
    Handler<RoutingContext> admin = gate.require(Role.ADMIN);
    router = Router.router(vertx);
    router.route().handler(new RequestSpans(tracing));
    // WebSocket first: the upgrade must happen synchronously, before any body handling (the gate
    // is synchronous)
    router.get("/v1/edits/:id/ws").handler(user).handler(edits::editWebSocket);
    BodyHandler body =
        BodyHandler.create()
            .setBodyLimit(config.maxBodyBytes())
            .setDeleteUploadedFilesOnEnd(true)
            .setUploadsDirectory(
                Path.of(System.getProperty("java.io.tmpdir"), "instgenie-uploads").toString());
    router.post("/v1/edits").handler(user).handler(body).handler(edits::submitEdit);
    // HEAD as GET without the body (Vert.x leaves it out), as HTTP asks of every GET resource
    // (monitors probe health with it); not the event streams, which a HEAD cannot follow
    getOrHead("/v1/edits/:id").handler(user).handler(edits::getEdit);
    getOrHead("/v1/edits/:id/image").handler(user).handler(edits::getImage);
    router.get("/v1/edits/:id/events").handler(user).handler(edits::editEvents);
    router.delete("/v1/edits/:id").handler(user).handler(edits::cancelEdit);
    router.put("/v1/templates").handler(user).handler(body).handler(templates::putTemplate);
    getOrHead("/v1/templates/:id").handler(user).handler(templates::getTemplate);
    router.post("/v1/images/edits").handler(user).handler(body).handler(openAi::edit);
    JsonObject modelInfo = ModelInfo.of(model, modelDigest, config.maxBodyBytes());
    getOrHead("/v1/model").handler(user).handler(rc -> Responses.json(rc, 200, modelInfo));
    getOrHead(ResultUrls.PREFIX + ":id").handler(rc -> result(rc, results));
    getOrHead("/health/live")
        .handler(rc -> Responses.json(rc, 200, new JsonObject().put("status", "UP")));
    getOrHead("/health/ready").handler(this::healthReady);
    router.post("/admin/drain").handler(admin).handler(this::adminDrain);
    getOrHead("/metrics")
        .handler(admin)
        .handler(
            rc ->
                rc.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end(metrics.scrape()));
    getOrHead("/openapi.yaml").handler(this::openApi);
    // the page: index.html at /, its modules and the bundled example beside it; file reads are
    // asynchronous, and a path it does not hold falls through to the JSON 404 below
    router
        .route("/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(StaticHandler.create(WEB_ROOT).setMaxAgeSeconds(60));
    RouteMethods methods = RouteMethods.of(router.getRoutes());
    router.route().last().handler(methods::notFoundOrNotAllowed);
    router.route().failureHandler(this::failure);
    // a request the router fails before any route matches (a path or query that is not valid
    // percent-encoding): JSON too, not Vert.x's plain "Bad Request"
    router.errorHandler(
        400,
        rc ->
            Responses.error(
                rc,
                400,
                "bad request: "
                    + (rc.failure() != null
                        ? rc.failure().getMessage()
                        : "the path or query string is not valid percent-encoding")));
    int bodyLimit = (int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes());
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                // a text field (an inline base64 image, a long prompt) may be as large as the body;
                // Vert.x's 8 KiB default failed such forms with a 500
                .setMaxFormAttributeSize(bodyLimit)
                // long ids reach the router (a JSON 404), not Netty's bare 414
                .setMaxInitialLineLength(MAX_REQUEST_LINE))
        .invalidRequestHandler(HttpApiVerticle::invalidRequest)
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> server = s);
  }

  /**
   * A request that is not HTTP the server can read (a request line or headers past their limits):
   * the status Vert.x would give (414, 431, else 400), with a JSON error instead of an empty body;
   * the connection then closes.
   */
  private static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status;
    String why;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      why =
          "the request line (method, path and query) is longer than " + MAX_REQUEST_LINE + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      why =
          "the request's headers are larger than "
              + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
              + " bytes";
    } else {
      status = 400;
      why = "the request is not valid HTTP" + (cause == null ? "" : ": " + cause.getMessage());
    }
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        // said, so that a client does not send its next request down a connection about to close
        .putHeader("Connection", "close")
        .end(new JsonObject().put("error", why).encode())
        .onComplete(v -> req.connection().close());
  }

  /** The contract, from the classpath (verticles/src/main/resources/openapi.yaml). */
  private void openApi(RoutingContext rc) {
    rc.response().putHeader("Content-Type", "application/yaml").sendFile(OPENAPI);
  }

  private void failure(RoutingContext rc) {
    int status = rc.statusCode() > 0 ? rc.statusCode() : ServiceException.statusOf(rc.failure());
    String message =
        switch (status) {
          case 413 ->
              "request body (or one of its form fields) is larger than "
                  + config.maxBodyBytes()
                  + " bytes";
          case 400 ->
              rc.failure() != null ? "bad request: " + rc.failure().getMessage() : "bad request";
          default -> rc.failure() != null ? rc.failure().getMessage() : "error " + status;
        };
    Responses.error(rc, status, message);
  }

  /**
   * A signed result URL: the image without an API key while the signature holds (403 when it was
   * tampered with or has expired).
   */
  private void result(RoutingContext rc, ResultUrls results) {
    String id = rc.pathParam("id");
    var q = rc.queryParams();
    if (!results.valid(id, q.get("expires"), q.get("sig"), System.currentTimeMillis() / 1000)) {
      Responses.error(rc, 403, "this result URL is not valid: its signature is wrong or expired");
      return;
    }
    vertx
        .eventBus()
        .<Buffer>request(Addresses.JOB_IMAGE, id, Calls.TIMEOUT)
        .onSuccess(m -> Responses.png(rc, m.body()))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /** Starts a drain (SIGTERM does the same); answers at once, the process exits once drained. */
  private void adminDrain(RoutingContext rc) {
    drain.run();
    Responses.json(rc, 202, new JsonObject().put("status", "draining"));
  }

  /** A route for GET and HEAD on {@code path}. */
  private Route getOrHead(String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
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
