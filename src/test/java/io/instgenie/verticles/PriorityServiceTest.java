package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The per-request {@code priority} of POST /v1/edits, in both forms, reaches the step policy. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class PriorityServiceTest {
  private static ServiceConfig oneSlot() {
    // cache off: no template runs, so the long edit's steps start at once and last a while
    return ServiceClient.config(
        Map.of(
            "max_batch",
            "1",
            "scheduling",
            "fcfs",
            "aging_steps",
            "100000",
            "cache",
            "off",
            "max_steps",
            "3000"));
  }

  @Test
  @DisplayName(
      "max_batch 1: an interactive edit (JSON) sent while a 3000-step batch edit (multipart) runs"
          + " preempts it and completes while the batch edit is still running")
  void interactivePreemptsBatch(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    RgbImage template = TestImages.template(77);
    RgbImage mask = TestImages.rectMask(0, 0, 6, 6);
    ServiceClient.start(vertx, oneSlot())
        .compose(
            client -> {
              MultipartForm slow = ServiceClient.editForm(template, mask, "a red circle", 3000, 1L);
              slow.attribute("priority", "batch");
              return client
                  .submit(slow)
                  .compose(
                      a ->
                          client
                              .ws(a)
                              .compose(s -> s.first(EventStream.type("step")))
                              .compose(
                                  first -> {
                                    JsonObject quick =
                                        ServiceClient.editJson(
                                                template, mask, "a red circle", 3, 2L)
                                            .put("priority", "interactive");
                                    return client.postJson("/v1/edits", quick);
                                  })
                              .compose(
                                  r -> {
                                    assertEquals(202, r.statusCode(), r.bodyAsString());
                                    return client.awaitFinished(
                                        r.bodyAsJsonObject().getString("id"));
                                  })
                              .compose(
                                  b ->
                                      client
                                          .get("/v1/edits/" + a)
                                          .map(r -> new JsonObject[] {b, r.bodyAsJsonObject()}))
                              .compose(both -> client.delete("/v1/edits/" + a).map(x -> both)));
            })
        .onComplete(
            ctx.succeeding(
                both ->
                    ctx.verify(
                        () -> {
                          assertEquals("completed", both[0].getString("status"), both[0].encode());
                          assertNotEquals(
                              "completed",
                              both[1].getString("status"),
                              "the batch edit was preempted, not waited for: " + both[1].encode());
                          done.flag();
                        })));
  }

  @Test
  @DisplayName("a priority other than interactive or batch is a 400 naming both, in either form")
  void badPriority(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    RgbImage template = TestImages.template(78);
    RgbImage mask = TestImages.rectMask(0, 0, 6, 6);
    ServiceClient.start(vertx, oneSlot())
        .compose(
            client -> {
              MultipartForm form = ServiceClient.editForm(template, mask, "a red circle", 3, 1L);
              form.attribute("priority", "urgent");
              JsonObject json =
                  ServiceClient.editJson(template, mask, "a red circle", 3, 1L)
                      .put("priority", "urgent");
              return Future.all(
                  client.postForm("/v1/edits", form), client.postJson("/v1/edits", json));
            })
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 2; i++) {
                            io.vertx.ext.web.client.HttpResponse<?> r = all.resultAt(i);
                            assertEquals(400, r.statusCode(), r.bodyAsString());
                            String error = r.bodyAsJsonObject().getString("error");
                            assertTrue(
                                error.contains("interactive or batch") && error.contains("urgent"),
                                error);
                          }
                          done.flag();
                        })));
  }
}
