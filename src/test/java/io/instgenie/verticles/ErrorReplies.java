package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;

/**
 * The service's error replies as tests expect them: a status and a JSON {@code error} that says
 * what was wrong.
 */
final class ErrorReplies {
  private ErrorReplies() {}

  /** Asserts status {@code status} and a JSON body whose {@code error} contains {@code says}. */
  static void assertError(HttpResponse<Buffer> r, int status, String says) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    String error = r.bodyAsJsonObject().getString("error");
    assertNotNull(error, "no JSON error: " + r.bodyAsString());
    assertTrue(error.contains(says), "error should say '" + says + "': " + r.bodyAsString());
  }

  /** A response handler that checks {@link #assertError} and then flags {@code done}. */
  static Handler<AsyncResult<HttpResponse<Buffer>>> expectError(
      VertxTestContext ctx, Checkpoint done, int status, String says) {
    return ctx.succeeding(
        r ->
            ctx.verify(
                () -> {
                  assertError(r, status, says);
                  done.flag();
                }));
  }
}
