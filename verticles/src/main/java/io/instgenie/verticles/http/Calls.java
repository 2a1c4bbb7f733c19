package io.instgenie.verticles.http;

import io.instgenie.verticles.http.auth.Caller;
import io.instgenie.verticles.http.reply.Responses;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.observe.EditTracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;

/** What the route handlers share: admission, the tenant check of an edit id, refusals. */
final class Calls {
  static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final int retryAfterSeconds;

  Calls(Vertx vertx, int retryAfterSeconds) {
    this.vertx = vertx;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Admits the edit as the caller's: its tenant, limit and (when the edit names none) class. */
  Future<Accepted> admit(RoutingContext rc, RawEdit raw, Caller caller) {
    RawEdit owned =
        raw.withOwner(caller.owner(), raw.priority() == null ? caller.priority() : raw.priority());
    // the request's trace context rides in the message's headers
    DeliveryOptions traced = EditTracing.carry(RequestSpans.of(rc), new DeliveryOptions(TIMEOUT));
    return vertx.eventBus().<Accepted>request(Addresses.ADMIT, owned, traced).map(m -> m.body());
  }

  /**
   * The edit's snapshot when the caller may see it; another tenant's edit fails exactly as an
   * unknown id does (404), so ids tell nothing about other tenants.
   */
  Future<JobSnapshot> owned(String id, Caller caller) {
    return vertx
        .eventBus()
        .<JobSnapshot>request(Addresses.JOB_GET, id, TIMEOUT)
        .compose(
            m ->
                caller.sees(m.body().tenant())
                    ? Future.succeededFuture(m.body())
                    : Future.failedFuture(
                        new ServiceException(ServiceException.NOT_FOUND, "unknown edit id " + id)));
  }

  void cancel(String id) {
    vertx.eventBus().request(Addresses.JOB_CANCEL, id, TIMEOUT);
  }

  /** Answers a refused request; a 429 or 503 of the service carries {@code Retry-After}. */
  void reject(RoutingContext rc, Throwable err) {
    int status = ServiceException.statusOf(err);
    if (status == ServiceException.TOO_MANY || status == ServiceException.UNAVAILABLE) {
      rc.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
    }
    Responses.failure(rc, err);
  }

  /** A terminal event other than completed, in words: "failed: why" or "cancelled: ". */
  static String outcome(JobEvent e) {
    return e.type() + ": " + (e.body() instanceof JobEvent.Failed f ? f.error() : "");
  }

  /** The scheme and authority the client called, to make absolute URLs (result URLs). */
  static String base(RoutingContext rc) {
    return rc.request().scheme() + "://" + rc.request().authority();
  }
}
