package io.instgenie.verticles.http;

import io.instgenie.verticles.http.auth.Caller;
import io.instgenie.verticles.http.auth.Gate;
import io.instgenie.verticles.http.auth.ResultUrls;
import io.instgenie.verticles.http.reply.Responses;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * OpenAI-compatible synchronous edits ({@code POST /v1/images/edits}): transparent mask pixels mark
 * the edit; {@code response_format} {@code b64_json} (the default) or {@code url} (a signed result
 * URL that works without the API key).
 */
final class OpenAiEdits {
  /** Why a follower was closed: the edit outlived {@code sync_timeout_ms}. */
  private static final String TIMED_OUT = "sync timeout";

  private final Vertx vertx;
  private final Calls calls;
  private final ResultUrls results;
  private final long syncTimeoutMs;
  private final String size;

  /** {@code imageSize}: the model's image side, the only {@code size} this route can answer. */
  OpenAiEdits(Vertx vertx, Calls calls, ResultUrls results, long syncTimeoutMs, int imageSize) {
    this.vertx = vertx;
    this.calls = calls;
    this.results = results;
    this.syncTimeoutMs = syncTimeoutMs;
    this.size = imageSize + "x" + imageSize;
  }

  void edit(RoutingContext rc) {
    var form = rc.request().formAttributes();
    // OpenAI's clients may send a size; an edit comes back at the model's size, so ask for no other
    String asked = form.get("size");
    if (asked != null && !asked.equals(size) && !asked.equals("auto")) {
      Responses.error(
          rc,
          400,
          "size must be "
              + size
              + " (the model edits "
              + size
              + " images) or auto, got '"
              + asked
              + "'");
      return;
    }
    String format = form.get("response_format");
    if (format != null && !format.equals("b64_json") && !format.equals("url")) {
      Responses.error(rc, 400, "response_format must be b64_json or url, got '" + format + "'");
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
    boolean url = "url".equals(format);
    String base = Calls.base(rc);
    Caller caller = Gate.caller(rc);
    List<Future<Accepted>> admitted = new ArrayList<>();
    // a client that goes away before its answer cancels its edits
    rc.response()
        .closeHandler(
            v -> {
              if (!rc.response().ended()) cancelAll(admitted);
            });
    EditForms.read(vertx, rc, EditForms.Route.OPENAI)
        .compose(
            raw -> {
              List<Future<JsonObject>> images = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                Future<Accepted> a = calls.admit(rc, raw, caller);
                admitted.add(a);
                images.add(
                    a.compose(this::awaitCompleted)
                        .compose(
                            url ? urlOf(base) : (Function<String, Future<JsonObject>>) this::b64));
              }
              return Future.all(images)
                  .map(
                      all -> {
                        JsonArray data = new JsonArray();
                        for (Future<JsonObject> f : images) data.add(f.result());
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
              calls.reject(rc, err);
            });
  }

  private Function<String, Future<JsonObject>> urlOf(String base) {
    return id ->
        Future.succeededFuture(
            new JsonObject()
                .put("url", base + results.path(id, System.currentTimeMillis() / 1000)));
  }

  private Future<JsonObject> b64(String id) {
    return vertx
        .eventBus()
        .<Buffer>request(Addresses.JOB_IMAGE, id, Calls.TIMEOUT)
        .map(
            m ->
                new JsonObject()
                    .put("b64_json", Base64.getEncoder().encodeToString(m.body().getBytes())));
  }

  /**
   * Why a synchronous request has no image: its edit was cancelled (a DELETE from elsewhere: 409),
   * the node shut down under it (a forced drain: 503, Retry-After; another node may take it), or it
   * failed (500, with the failure).
   */
  static ServiceException notCompleted(String id, JobEvent e) {
    if (e.body() instanceof JobEvent.Cancelled)
      return new ServiceException(
          ServiceException.CONFLICT, "edit " + id + " was cancelled before it completed");
    if (e.body() instanceof JobEvent.Failed f && JobEvent.Failed.SHUT_DOWN.equals(f.error()))
      return new ServiceException(
          ServiceException.UNAVAILABLE,
          "edit " + id + " ended unfinished: the node shut down (draining); retry the request");
    return new ServiceException(ServiceException.INTERNAL, "edit " + id + " " + Calls.outcome(e));
  }

  /** Cancels the edits of a synchronous request (those already ended answer "too late"). */
  private void cancelAll(List<Future<Accepted>> admitted) {
    for (Future<Accepted> a : admitted) {
      if (a.succeeded()) calls.cancel(a.result().id());
      else if (!a.isComplete()) a.onSuccess(late -> calls.cancel(late.id()));
    }
  }

  /**
   * The edit's id once it has completed; fails when it ends otherwise, or with 503 when it takes
   * longer than {@code sync_timeout_ms} (the request's edits are then cancelled: nobody waits for
   * them any more).
   */
  private Future<String> awaitCompleted(Accepted a) {
    ProgressFollower f = ProgressFollower.follow(vertx, a.id(), e -> {});
    long timer = vertx.setTimer(syncTimeoutMs, t -> f.close(TIMED_OUT));
    return f.end()
        .recover(
            err ->
                Future.failedFuture(
                    TIMED_OUT.equals(err.getMessage())
                        ? new ServiceException(
                            ServiceException.UNAVAILABLE,
                            "edit "
                                + a.id()
                                + " did not finish within sync_timeout_ms ("
                                + syncTimeoutMs
                                + " ms) and was cancelled; for a longer edit use POST /v1/edits"
                                + " and follow it")
                        : err))
        .compose(
            e -> {
              vertx.cancelTimer(timer);
              if (e.body() instanceof JobEvent.Completed) return Future.succeededFuture(a.id());
              return Future.failedFuture(notCompleted(a.id(), e));
            });
  }
}
