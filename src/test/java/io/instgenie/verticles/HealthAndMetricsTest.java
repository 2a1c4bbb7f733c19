package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Liveness, readiness once the model is warm, and the Prometheus metrics of batching. */
class HealthAndMetricsTest extends SharedService {
  private static final int STEPS = 5;

  @Test
  @DisplayName("/health/live answers 200 UP")
  void live(VertxTestContext ctx) {
    Checkpoint up = ctx.checkpoint();
    client
        .get("/health/live")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, r.statusCode());
                          assertEquals("UP", r.bodyAsJsonObject().getString("status"));
                          up.flag();
                        })));
  }

  @Test
  @DisplayName("/health/ready answers 200 READY with the model's image size once the model is warm")
  void readyOnceWarm(VertxTestContext ctx) {
    Checkpoint ready = ctx.checkpoint();
    client
        .poll(
            "/health/ready to answer 200",
            () -> client.get("/health/ready"),
            r -> {
              // before warm-up ends the only other answer is 503 WARMING_UP
              if (r.statusCode() != 200 && r.statusCode() != 503) {
                throw new AssertionError("/health/ready: " + r.statusCode());
              }
              return r.statusCode() == 200;
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, r.statusCode(), r.bodyAsString());
                          assertEquals("READY", r.bodyAsJsonObject().getString("status"));
                          assertEquals(
                              TestImages.SIZE,
                              r.bodyAsJsonObject().getJsonObject("model").getInteger("image_size"));
                          assertEquals(
                              TestImages.TINY.imageTokens(),
                              r.bodyAsJsonObject().getJsonObject("model").getInteger("tokens"));
                          assertTrue(client.service.ready(), "the service says ready too");
                          ready.flag();
                        })));
  }

  @Test
  @DisplayName(
      "/metrics reports step overhead and batch size for every step run, in Prometheus text")
  void metricsAfterAnEdit(VertxTestContext ctx) {
    Checkpoint scraped = ctx.checkpoint();
    client
        .submit(
            ServiceClient.editForm(
                TestImages.template(901),
                TestImages.rectMask(0, 0, 6, 6),
                "a red circle",
                STEPS,
                1L))
        .compose(client::awaitFinished)
        .compose(
            status -> {
              ctx.verify(() -> assertEquals("completed", status.getString("status")));
              return Future.all(
                  client.get("/metrics"),
                  client.metric("instgenie_batch_size_count"),
                  client.metric("instgenie_step_overhead_ms_count"),
                  client.metric("instgenie_template_cache_misses_total"));
            })
        .onComplete(
            ctx.succeeding(
                f ->
                    ctx.verify(
                        () -> {
                          HttpResponse<?> metrics = f.resultAt(0);
                          assertEquals(200, metrics.statusCode());
                          assertTrue(
                              metrics.getHeader("Content-Type").startsWith("text/plain"),
                              metrics.getHeader("Content-Type"));
                          String text = metrics.bodyAsString();
                          assertTrue(
                              text.contains("instgenie_step_overhead_ms"),
                              "step overhead is reported");
                          assertTrue(
                              text.contains("instgenie_batch_size"), "batch size is reported");
                          assertTrue(
                              text.contains(
                                  "instgenie_calibration_r2{fit=\"compute\",worker=\"0\"}"),
                              "the start-up calibration is reported");
                          // the edit ran a template run of STEPS steps, then its own STEPS steps
                          assertTrue(
                              (Double) f.resultAt(1) >= 2 * STEPS,
                              "batch size recorded per step: " + f.resultAt(1));
                          assertTrue(
                              (Double) f.resultAt(2) >= 2 * STEPS,
                              "overhead recorded per step: " + f.resultAt(2));
                          assertTrue(
                              (Double) f.resultAt(3) >= 1,
                              "the new template was a cache miss: " + f.resultAt(3));
                          scraped.flag();
                        })));
  }

  @Test
  @DisplayName("An unknown route gets 404 with a JSON error naming it")
  void unknownRoute(VertxTestContext ctx) {
    Checkpoint missing = ctx.checkpoint();
    client
        .get("/v2/nothing")
        .onComplete(ErrorReplies.expectError(ctx, missing, 404, "/v2/nothing"));
  }
}
