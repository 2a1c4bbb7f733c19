package io.instgenie.verticles.http.reply;

import io.instgenie.verticles.messages.DeadlineUnmet;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Tiny responders: JSON bodies and JSON errors. */
public final class Responses {
  private Responses() {}

  public static void json(RoutingContext rc, int status, Object body) {
    if (rc.response().ended()) return;
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject j ? j.encode() : Json.encode(body));
  }

  /**
   * An image as PNG, its length said explicitly: a HEAD request gets the same headers without the
   * body (Vert.x would leave Content-Length out there).
   */
  public static void png(RoutingContext rc, Buffer png) {
    if (rc.response().ended()) return;
    rc.response()
        .putHeader("Content-Type", "image/png")
        .putHeader("Content-Length", String.valueOf(png.length()))
        .end(png);
  }

  public static void error(RoutingContext rc, int status, String message) {
    json(rc, status, new JsonObject().put("error", message));
  }

  /** Answers a failed event-bus request with its status code and message. */
  public static void failure(RoutingContext rc, Throwable t) {
    int status = ServiceException.statusOf(t);
    if (t instanceof DeadlineUnmet d) {
      json(
          rc,
          status,
          new JsonObject()
              .put("error", d.getMessage())
              .put("estimate_ms", d.estimateMs())
              .put("timeout_ms", d.timeoutMs()));
      return;
    }
    error(rc, status, status == 500 ? "internal error: " + t.getMessage() : t.getMessage());
  }
}
