package io.instgenie.verticles.http;

import io.instgenie.verticles.ServiceException;
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

  public static void error(RoutingContext rc, int status, String message) {
    json(rc, status, new JsonObject().put("error", message));
  }

  /** Answers a failed event-bus request with its status code and message. */
  public static void failure(RoutingContext rc, Throwable t) {
    int status = ServiceException.statusOf(t);
    error(rc, status, status == 500 ? "internal error: " + t.getMessage() : t.getMessage());
  }
}
