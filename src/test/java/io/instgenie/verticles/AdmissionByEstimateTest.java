package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Admission by estimate over HTTP: with one slot busy for 10,000 steps, a 3-step edit whose {@code
 * timeout_ms} is worth about 165 of those steps cannot be met behind it under {@code fcfs} (503
 * with the estimate), while under {@code srpt} it runs first and is admitted; an admitted edit's
 * first {@code queued} event carries the ETA. Timeouts are set in steps of the measured speed, not
 * in absolute milliseconds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class AdmissionByEstimateTest {
  private static final RgbImage TEMPLATE = TestImages.template(91);
  private static final RgbImage MASK = TestImages.rectMask(0, 0, 6, 6);

  /** A timeout no estimate here reaches (the cold first steps make early estimates long). */
  private static final long DAY_MS = 86_400_000L;

  private static ServiceConfig oneSlot(String scheduling) {
    // cache off: no template runs, every edit computes the same rows per step
    return ServiceClient.config(
        Map.of(
            "max_batch",
            "1",
            "scheduling",
            scheduling,
            "aging_steps",
            "100000",
            "cache",
            "off",
            "max_steps",
            String.valueOf(ServiceClient.LONG_EDIT_STEPS),
            "max_edit_ms",
            String.valueOf(DAY_MS)));
  }

  /**
   * Starts a 10,000-step edit; once it has run three steps, answers its id and a timeout of 1/60 of
   * its ETA then: about 165 of its steps at the measured speed, so far more than 3 steps and far
   * less than 10,000 whatever this machine's speed.
   */
  private static Future<String[]> busy(ServiceClient client) {
    JsonObject slow =
        ServiceClient.editJson(TEMPLATE, MASK, "a red circle", ServiceClient.LONG_EDIT_STEPS, 1L);
    return client
        .postJson("/v1/edits", slow)
        .compose(
            r -> {
              assertEquals(202, r.statusCode(), r.bodyAsString());
              String id = r.bodyAsJsonObject().getString("id");
              // by its third step the worker has reported a measured step to the balancer
              return client
                  .ws(id)
                  .compose(
                      s ->
                          s.first(
                              e -> "step".equals(e.getString("type")) && e.getInteger("step") >= 3))
                  .map(e -> new String[] {id, String.valueOf(e.getLong("eta_ms") / 60)});
            });
  }

  private static JsonObject quick(long timeoutMs, long seed) {
    return ServiceClient.editJson(TEMPLATE, MASK, "a red circle", 3, seed)
        .put("timeout_ms", timeoutMs);
  }

  @Test
  @DisplayName(
      "fcfs, one slot busy for 10,000 steps: a 3-step edit with a timeout worth ~165 steps is"
          + " refused at once with 503, Retry-After and its estimate (over the timeout); one with"
          + " timeout_ms of a day is admitted and its first queued event carries an ETA over it")
  void refusedBehindALongEdit(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    ServiceClient.start(vertx, oneSlot("fcfs"))
        .compose(
            client ->
                busy(client)
                    .compose(
                        busy ->
                            client
                                .postJson("/v1/edits", quick(Long.parseLong(busy[1]), 2L))
                                .compose(
                                    refused -> {
                                      ctx.verify(
                                          () -> {
                                            assertEquals(
                                                503, refused.statusCode(), refused.bodyAsString());
                                            assertNotNull(refused.getHeader("Retry-After"));
                                            JsonObject b = refused.bodyAsJsonObject();
                                            assertTrue(
                                                b.getString("error")
                                                    .startsWith("deadline cannot be met"),
                                                b.encode());
                                            long t = Long.parseLong(busy[1]);
                                            assertEquals(t, b.getLong("timeout_ms"));
                                            assertTrue(b.getLong("estimate_ms") > t, b.encode());
                                            Contract contract = Contract.load();
                                            contract.validate(
                                                contract.schemaPointer(
                                                    "POST /v1/edits", 503, "application/json"),
                                                b.encode(),
                                                "the refusal against openapi.yaml");
                                          });
                                      return client.postJson("/v1/edits", quick(DAY_MS, 3L));
                                    })
                                .compose(
                                    admitted -> {
                                      assertEquals(
                                          202, admitted.statusCode(), admitted.bodyAsString());
                                      return firstQueued(client, admitted.bodyAsJsonObject());
                                    })
                                .compose(
                                    q -> {
                                      ctx.verify(
                                          () ->
                                              assertTrue(
                                                  q.getLong("eta_ms") > Long.parseLong(busy[1]),
                                                  "behind ~10,000 steps: " + q.encode()));
                                      return client.delete("/v1/edits/" + busy[0]);
                                    })))
        .onComplete(ctx.succeeding(x -> done.flag()));
  }

  @Test
  @DisplayName(
      "srpt, the same queue: the 3-step edit with the same timeout runs ahead of the long one, so"
          + " it is admitted and its first queued event's ETA is within the timeout")
  void admittedAheadUnderSrpt(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    ServiceClient.start(vertx, oneSlot("srpt"))
        .compose(
            client ->
                busy(client)
                    .compose(
                        busy ->
                            client
                                .postJson("/v1/edits", quick(Long.parseLong(busy[1]), 2L))
                                .compose(
                                    r -> {
                                      assertEquals(202, r.statusCode(), r.bodyAsString());
                                      JsonObject a = r.bodyAsJsonObject();
                                      return firstQueued(client, a)
                                          .compose(
                                              q -> {
                                                ctx.verify(
                                                    () -> {
                                                      long eta = q.getLong("eta_ms");
                                                      assertTrue(
                                                          eta >= 0
                                                              && eta <= Long.parseLong(busy[1]),
                                                          q.encode());
                                                    });
                                                return client.delete(
                                                    "/v1/edits/" + a.getString("id"));
                                              });
                                    })
                                .compose(x -> client.delete("/v1/edits/" + busy[0]))))
        .onComplete(ctx.succeeding(x -> done.flag()));
  }

  /** The edit's first event, which must be {@code queued} with an {@code eta_ms}. */
  private static Future<JsonObject> firstQueued(ServiceClient client, JsonObject accepted) {
    return client
        .ws(accepted.getString("id"))
        .compose(s -> s.first(e -> true))
        .map(
            e -> {
              assertEquals("queued", e.getString("type"), e.encode());
              assertNotNull(e.getLong("eta_ms"), "the first queued event has no ETA: " + e);
              return e;
            });
  }
}
