package io.instgenie.verticles.http.webhook;

import io.vertx.core.json.JsonObject;

/**
 * One webhook's delivery so far: attempts made, the last HTTP status (0: no answer) or error,
 * whether a 2xx came back, and whether the service gave up. Touched only by the HTTP verticle's
 * event loop.
 */
final class Delivery {
  final String url;
  final long startedMs;
  int attempts;
  int lastStatus;
  String lastError;
  boolean delivered;
  boolean gaveUp;

  Delivery(String url, long startedMs) {
    this.url = url;
    this.startedMs = startedMs;
  }

  /** Its JSON form in {@code GET /v1/edits/{id}}. */
  JsonObject toJson() {
    return new JsonObject()
        .put("url", url)
        .put("attempts", attempts)
        .put("last_status", lastStatus == 0 ? null : lastStatus)
        .put("last_error", lastError)
        .put("delivered", delivered)
        .put("gave_up", gaveUp);
  }
}
