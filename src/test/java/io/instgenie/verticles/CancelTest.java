package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DELETE /v1/edits/{id}: a queued edit never runs, a running one leaves its batch within a step.
 */
@ExtendWith(VertxExtension.class)
class CancelTest {
  private static ServiceClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // the single-threaded reference backend: slower steps that leave the event loops a core, so a
    // step event reaches the client well within a step
    ServiceConfig one =
        ServiceClient.config(1, 64, 10L << 20, ServiceConfig.Batching.CONTINUOUS, "reference");
    ServiceClient.start(vertx, one)
        .onComplete(
            ctx.succeeding(
                c -> {
                  client = c;
                  ctx.completeNow();
                }));
  }

  @AfterAll
  static void stop(Vertx vertx, VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName(
      "With max_batch 1, an edit queued behind a long one is cancelled without running, and the long one still completes")
  void cancelQueued(VertxTestContext ctx) {
    int stepsA = 200;
    RgbImage templateA = TestImages.template(301);
    RgbImage maskA = TestImages.rectMask(2, 3, 9, 9);
    Checkpoint bCancelled = ctx.checkpoint();
    Checkpoint aCompleted = ctx.checkpoint();
    client
        .submit(ServiceClient.editForm(templateA, maskA, "a red circle", stepsA, 1L))
        .compose(
            a ->
                client
                    .ws(a)
                    .compose(
                        streamA ->
                            streamA
                                .first(EventStream.type("started"))
                                .compose(
                                    started ->
                                        client.submit(
                                            ServiceClient.editForm(
                                                TestImages.template(302),
                                                TestImages.rectMask(0, 0, 4, 4),
                                                "a blue square",
                                                4,
                                                2L)))
                                .compose(
                                    b ->
                                        client
                                            .ws(b)
                                            .compose(
                                                streamB ->
                                                    streamB
                                                        .first(EventStream.type("queued"))
                                                        .compose(
                                                            queued -> {
                                                              ctx.verify(
                                                                  () ->
                                                                      assertEquals(
                                                                          1,
                                                                          queued.getInteger(
                                                                              "position"),
                                                                          "B waits first in line: "
                                                                              + queued));
                                                              return client.delete(
                                                                  "/v1/edits/" + b);
                                                            })
                                                        .compose(
                                                            deleted -> {
                                                              ctx.verify(
                                                                  () -> {
                                                                    assertEquals(
                                                                        202,
                                                                        deleted.statusCode(),
                                                                        deleted.bodyAsString());
                                                                    assertEquals(
                                                                        "queued",
                                                                        deleted
                                                                            .bodyAsJsonObject()
                                                                            .getString("status"),
                                                                        deleted.bodyAsString());
                                                                    assertEquals(
                                                                        "requested",
                                                                        deleted
                                                                            .bodyAsJsonObject()
                                                                            .getString("cancel"),
                                                                        deleted.bodyAsString());
                                                                  });
                                                              return streamB.end();
                                                            })
                                                        .compose(
                                                            eventsB -> {
                                                              ctx.verify(
                                                                  () -> {
                                                                    assertEquals(
                                                                        "cancelled",
                                                                        Lifecycle.last(eventsB)
                                                                            .getString("type"),
                                                                        "B ends cancelled: "
                                                                            + eventsB);
                                                                    for (JsonObject e :
                                                                        eventsB.subList(
                                                                            0,
                                                                            eventsB.size() - 1)) {
                                                                      assertEquals(
                                                                          "queued",
                                                                          e.getString("type"),
                                                                          "a cancelled queued edit never starts: "
                                                                              + eventsB);
                                                                    }
                                                                  });
                                                              return Future.all(
                                                                  client.awaitFinished(b),
                                                                  client.get(
                                                                      "/v1/edits/" + b + "/image"));
                                                            })
                                                        .map(
                                                            f -> {
                                                              ctx.verify(
                                                                  () -> {
                                                                    JsonObject status =
                                                                        f.resultAt(0);
                                                                    assertEquals(
                                                                        "cancelled",
                                                                        status.getString("status"),
                                                                        status.encode());
                                                                    HttpResponse<?> image =
                                                                        f.resultAt(1);
                                                                    assertEquals(
                                                                        409,
                                                                        image.statusCode(),
                                                                        "a cancelled edit has no image");
                                                                    assertNotNull(
                                                                        image
                                                                            .bodyAsJsonObject()
                                                                            .getString("error"));
                                                                    bCancelled.flag();
                                                                  });
                                                              return b;
                                                            })))
                                .compose(b -> streamA.end())
                                .compose(
                                    eventsA -> {
                                      ctx.verify(
                                          () -> Lifecycle.assertCompleted(eventsA, a, stepsA));
                                      return client.get("/v1/edits/" + a + "/image");
                                    })))
        .onComplete(
            ctx.succeeding(
                image ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, image.statusCode());
                          TestImages.assertUnmaskedIdentical(
                              templateA, TestImages.editPixels(maskA), image.body().getBytes());
                          aCompleted.flag();
                        })));
  }

  @Test
  @DisplayName(
      "A running edit cancelled mid-way ends in cancelled, having run at most the step in progress when the cancel reached its worker")
  void cancelRunning(VertxTestContext ctx) {
    int steps = 400;
    Checkpoint cancelled = ctx.checkpoint();
    client
        .submit(
            ServiceClient.editForm(
                TestImages.template(303),
                TestImages.rectMask(5, 5, 6, 6),
                "a green bar",
                steps,
                3L))
        .compose(
            a ->
                client
                    .ws(a)
                    .compose(
                        stream ->
                            stream
                                .first(
                                    e ->
                                        "step".equals(e.getString("type"))
                                            && e.getInteger("step") >= 10)
                                .compose(tenth -> client.delete("/v1/edits/" + a))
                                .compose(
                                    deleted -> {
                                      // the newest step this client had seen when the DELETE was
                                      // answered
                                      JsonObject seen = Lifecycle.lastStep(stream.events());
                                      ctx.verify(
                                          () -> {
                                            assertEquals(
                                                202, deleted.statusCode(), deleted.bodyAsString());
                                            assertEquals(
                                                "running",
                                                deleted.bodyAsJsonObject().getString("status"),
                                                deleted.bodyAsString());
                                            assertEquals(
                                                "requested",
                                                deleted.bodyAsJsonObject().getString("cancel"),
                                                deleted.bodyAsString());
                                          });
                                      return stream
                                          .end()
                                          .compose(
                                              events -> {
                                                ctx.verify(
                                                    () -> {
                                                      assertEquals(
                                                          "cancelled",
                                                          Lifecycle.last(events).getString("type"),
                                                          "the stream ends cancelled");
                                                      JsonObject lastStep =
                                                          Lifecycle.lastStep(events);
                                                      assertTrue(
                                                          lastStep.getInteger("step") < steps,
                                                          "cancelled before its last step: "
                                                              + lastStep);
                                                      // counted in the worker's steps, not in
                                                      // the client's view (events may lag a few
                                                      // steps behind on a busy machine)
                                                      JsonObject end = Lifecycle.last(events);
                                                      long arrived = end.getLong("cancel_step");
                                                      long left = end.getLong("worker_step");
                                                      // the step in progress when the cancel
                                                      // arrived may reach the client before the
                                                      // DELETE's answer, so seen may pass arrived
                                                      assertTrue(
                                                          seen.getLong("worker_step") <= left,
                                                          "the client saw no step after the edit left: "
                                                              + end
                                                              + ", seen "
                                                              + seen);
                                                      assertEquals(
                                                          lastStep.getLong("worker_step"),
                                                          left,
                                                          "no step reported after it left: " + end);
                                                      // only the step in progress when the cancel
                                                      // arrived may finish
                                                      assertTrue(
                                                          left - arrived <= 1,
                                                          "steps run after the cancel reached the worker: "
                                                              + (left - arrived)
                                                              + " ("
                                                              + end
                                                              + ")");
                                                    });
                                                return client.awaitFinished(a);
                                              });
                                    })))
        .onComplete(
            ctx.succeeding(
                status ->
                    ctx.verify(
                        () -> {
                          assertEquals("cancelled", status.getString("status"), status.encode());
                          cancelled.flag();
                        })));
  }
}
