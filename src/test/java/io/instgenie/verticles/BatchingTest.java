package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Step-level continuous batching, counted in worker steps: an edit B submitted while edit A runs
 * gets its first step within one step of reaching the worker; under static batching the same
 * measurement shows B waiting for A's whole batch, so the check can fail. Static batching runs two
 * edits of {@value #STEPS} steps back to back; on a loaded machine that takes longer than Vert.x's
 * default 30 s, so the time-out is generous (a guard, not a performance bound).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
class BatchingTest {
  /** Long enough that B reaches the worker while A still has hundreds of steps to go. */
  private static final int STEPS = 800;

  /**
   * A's and B's events; B was submitted after A's first step and shares A's (then cached) template.
   */
  private record Join(List<JsonObject> a, List<JsonObject> b) {
    JsonObject bQueued() {
      return b.stream().filter(e -> "queued".equals(e.getString("type"))).findFirst().orElseThrow();
    }

    JsonObject bFirstStep() {
      return b.stream().filter(e -> "step".equals(e.getString("type"))).findFirst().orElseThrow();
    }

    /** Worker steps from B reaching the worker to B's first step. */
    long stepsWaited() {
      return bFirstStep().getLong("worker_step") - bQueued().getLong("worker_step");
    }
  }

  @Test
  @DisplayName(
      "Continuous batching: an edit submitted while a batch runs steps with it no later than one step after reaching the worker")
  void joinsTheRunningBatch(Vertx vertx, VertxTestContext ctx) {
    Checkpoint joined = ctx.checkpoint();
    ServiceClient.start(
            vertx,
            ServiceClient.config(8, 64, 10L << 20, ServiceConfig.Batching.CONTINUOUS, "auto"))
        .compose(BatchingTest::observeJoin)
        .onComplete(
            ctx.succeeding(
                join ->
                    ctx.verify(
                        () -> {
                          JsonObject bFirst = join.bFirstStep();
                          assertEquals(
                              0,
                              Lifecycle.count(join.b(), "template"),
                              "B's template was cached by A: " + join.b());
                          assertTrue(
                              join.stepsWaited() <= 1,
                              "B's first step came "
                                  + join.stepsWaited()
                                  + " worker steps after B was queued ("
                                  + join.bQueued()
                                  + " -> "
                                  + bFirst
                                  + ")");
                          assertTrue(
                              join.a().stream()
                                  .anyMatch(
                                      e ->
                                          "step".equals(e.getString("type"))
                                              && e.getLong("worker_step")
                                                  .equals(bFirst.getLong("worker_step"))),
                              "A ran in the same worker step as B's first step, so B joined A's running batch");
                          joined.flag();
                        })));
  }

  @Test
  @DisplayName(
      "Static batching fails the same check: the newcomer's first step comes only after the running batch finishes")
  void staticBatchingMakesTheNewcomerWait(Vertx vertx, VertxTestContext ctx) {
    Checkpoint waited = ctx.checkpoint();
    ServiceClient.start(
            vertx, ServiceClient.config(8, 64, 10L << 20, ServiceConfig.Batching.STATIC, "auto"))
        .compose(BatchingTest::observeJoin)
        .onComplete(
            ctx.succeeding(
                join ->
                    ctx.verify(
                        () -> {
                          String a = join.a().get(0).getString("id");
                          Lifecycle.assertCompleted(join.a(), a, STEPS);
                          long aLast = Lifecycle.lastStep(join.a()).getLong("worker_step");
                          assertTrue(
                              aLast > join.bQueued().getLong("worker_step"),
                              "B reached the worker while A was running (A's last step "
                                  + aLast
                                  + ", B queued "
                                  + join.bQueued()
                                  + ")");
                          assertTrue(
                              join.bFirstStep().getLong("worker_step") > aLast,
                              "under static batching B starts after A's batch: "
                                  + join.bFirstStep());
                          assertTrue(
                              join.stepsWaited() > 1,
                              "static batching makes B wait "
                                  + join.stepsWaited()
                                  + " worker steps, more than one");
                          waited.flag();
                        })));
  }

  /**
   * Submits A (a new template, so its template run comes first), waits for A's first denoising step
   * (its template is then cached), submits B on the same template, waits for B's first step, then
   * cancels both and answers every event of each.
   */
  private static Future<Join> observeJoin(ServiceClient client) {
    RgbImage template = TestImages.template(401);
    return client
        .submit(
            ServiceClient.editForm(
                template, TestImages.rectMask(0, 0, 7, 7), "a red circle", STEPS, 1L))
        .compose(
            a ->
                client
                    .ws(a)
                    .compose(
                        streamA ->
                            streamA
                                .first(EventStream.type("step"))
                                .compose(
                                    first ->
                                        client.submit(
                                            ServiceClient.editForm(
                                                template,
                                                TestImages.rectMask(8, 8, 5, 6),
                                                "a blue square",
                                                STEPS,
                                                2L)))
                                .compose(
                                    b ->
                                        client
                                            .ws(b)
                                            .compose(
                                                streamB ->
                                                    streamB
                                                        .first(EventStream.type("step"))
                                                        .compose(
                                                            bFirst ->
                                                                Future.all(
                                                                    client.delete("/v1/edits/" + a),
                                                                    client.delete(
                                                                        "/v1/edits/" + b)))
                                                        .compose(
                                                            deleted ->
                                                                Future.all(
                                                                    streamA.end(), streamB.end()))
                                                        .map(
                                                            ends ->
                                                                new Join(
                                                                    ends.resultAt(0),
                                                                    ends.resultAt(1)))))));
  }

  @Test
  @DisplayName(
      "Concurrent first edits of one template share its template run and never grow a batch past max_batch")
  void waitersRespectMaxBatch(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    RgbImage template = TestImages.template(4242);
    RgbImage mask = TestImages.rectMask(2, 3, 7, 5);
    ServiceClient.start(
            vertx,
            ServiceClient.config(2, 64, 10L << 20, ServiceConfig.Batching.CONTINUOUS, "auto"))
        .compose(
            client -> {
              List<Future<JsonObject>> edits = new java.util.ArrayList<>();
              for (int i = 0; i < 6; i++) {
                edits.add(
                    client
                        .submit(
                            ServiceClient.editForm(template, mask, "a red circle", 200, (long) i))
                        .compose(client::awaitFinished));
              }
              return Future.all(edits)
                  .compose(
                      all ->
                          client
                              .metric("instgenie_batch_size_max")
                              .compose(
                                  max ->
                                      client
                                          .metric("instgenie_template_cache_misses_total")
                                          .map(
                                              misses -> {
                                                ctx.verify(
                                                    () -> {
                                                      for (Future<JsonObject> e : edits)
                                                        assertEquals(
                                                            "completed",
                                                            e.result().getString("status"),
                                                            e.result().encode());
                                                      // 200 template-run steps: the six submissions
                                                      // arrive while it runs, so they wait as one
                                                      // group
                                                      assertTrue(
                                                          max <= 2,
                                                          "a step ran "
                                                              + max
                                                              + " members with max_batch 2 ("
                                                              + misses
                                                              + " waited)");
                                                    });
                                                return max;
                                              })));
            })
        .onComplete(ctx.succeeding(v -> done.flag()));
  }
}
