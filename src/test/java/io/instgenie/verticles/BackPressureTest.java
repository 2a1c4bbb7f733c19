package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.TemplateId;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Back-pressure: a full job table answers 429 with Retry-After, a body over the limit 413, both
 * with a JSON error.
 */
@ExtendWith(VertxExtension.class)
class BackPressureTest {
  private static final int CAPACITY = 2;
  private static final long MAX_BODY = 4096;
  private static final int FLOOD = 10;

  /**
   * Long enough (a template run and as many denoising steps) that no edit finishes during the
   * flood.
   */
  private static final int STEPS = 600;

  private static ServiceClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    ServiceConfig small =
        ServiceClient.config(8, CAPACITY, MAX_BODY, ServiceConfig.Batching.CONTINUOUS, "auto");
    ServiceClient.start(vertx, small)
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
      "A flood beyond queue_capacity gets 429s with Retry-After and a JSON error, keeps nothing of them, and once drained accepts again")
  void floodGets429(VertxTestContext ctx) {
    RgbImage mask = TestImages.rectMask(3, 3, 10, 4);
    List<RgbImage> templates = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < FLOOD; i++) {
      templates.add(TestImages.template(500 + i));
      sent.add(
          client.postForm(
              "/v1/edits",
              ServiceClient.editForm(templates.get(i), mask, "a red bar", STEPS, (long) i)));
    }
    Checkpoint rejected = ctx.checkpoint();
    Checkpoint forgotten = ctx.checkpoint();
    Checkpoint drained = ctx.checkpoint();
    Checkpoint acceptedAgain = ctx.checkpoint();
    Future.all(sent)
        .compose(
            all -> {
              List<String> accepted = new ArrayList<>();
              List<Future<HttpResponse<Buffer>>> templateLookups = new ArrayList<>();
              List<Integer> lookupExpected = new ArrayList<>();
              ctx.verify(
                  () -> {
                    int tooMany = 0;
                    for (int i = 0; i < FLOOD; i++) {
                      HttpResponse<Buffer> r = sent.get(i).result();
                      String templateId =
                          TemplateId.of(templates.get(i), client.model.digest(), STEPS);
                      if (r.statusCode() == 202) {
                        accepted.add(r.bodyAsJsonObject().getString("id"));
                        assertEquals(
                            templateId,
                            r.bodyAsJsonObject().getString("template_id"),
                            "template id of request " + i);
                        lookupExpected.add(200);
                      } else {
                        assertEquals(429, r.statusCode(), "request " + i + ": " + r.bodyAsString());
                        tooMany++;
                        assertEquals("1", r.getHeader("Retry-After"), "a 429 says when to retry");
                        String error = r.bodyAsJsonObject().getString("error");
                        assertTrue(
                            error.contains("busy") && error.contains("capacity " + CAPACITY),
                            "the error says why: " + error);
                        lookupExpected.add(404);
                      }
                      templateLookups.add(client.get("/v1/templates/" + templateId));
                    }
                    // no edit can finish during the flood (each needs a template run and STEPS
                    // steps), so exactly
                    // CAPACITY are admitted and the rest are refused
                    assertEquals(
                        CAPACITY, accepted.size(), "edits accepted out of a flood of " + FLOOD);
                    assertEquals(FLOOD - CAPACITY, tooMany, "429s out of a flood of " + FLOOD);
                    rejected.flag();
                  });
              return Future.all(templateLookups)
                  .compose(
                      v -> {
                        ctx.verify(
                            () -> {
                              for (int i = 0; i < FLOOD; i++) {
                                HttpResponse<Buffer> r = templateLookups.get(i).result();
                                assertEquals(
                                    lookupExpected.get(i),
                                    r.statusCode(),
                                    "GET /v1/templates of request "
                                        + i
                                        + " (404 = nothing of a rejected request is kept): "
                                        + r.bodyAsString());
                              }
                              forgotten.flag();
                            });
                        List<Future<JsonObject>> finished = new ArrayList<>();
                        for (String id : accepted) finished.add(client.awaitFinished(id));
                        return Future.all(finished);
                      });
            })
        .compose(
            finished -> {
              ctx.verify(
                  () -> {
                    for (int i = 0; i < finished.size(); i++) {
                      JsonObject s = finished.resultAt(i);
                      assertEquals("completed", s.getString("status"), s.encode());
                    }
                  });
              return client.poll(
                  "the job table to empty",
                  () -> client.metric("instgenie_jobs_unfinished"),
                  v -> v == 0.0);
            })
        .compose(
            unfinished -> {
              ctx.verify(
                  () -> {
                    assertEquals(0.0, unfinished, "no unfinished jobs after the flood drained");
                    drained.flag();
                  });
              RgbImage template = TestImages.template(599);
              return client
                  .postForm("/v1/edits", ServiceClient.editForm(template, mask, "a red bar", 4, 9L))
                  .compose(
                      r -> {
                        ctx.verify(
                            () ->
                                assertEquals(
                                    202,
                                    r.statusCode(),
                                    "accepted after the flood: " + r.bodyAsString()));
                        String id = r.bodyAsJsonObject().getString("id");
                        return client
                            .awaitFinished(id)
                            .compose(s -> client.get("/v1/edits/" + id + "/image"))
                            .map(
                                png -> {
                                  ctx.verify(
                                      () ->
                                          TestImages.assertUnmaskedIdentical(
                                              template,
                                              TestImages.editPixels(mask),
                                              png.body().getBytes()));
                                  return png;
                                });
                      });
            })
        .onComplete(ctx.succeeding(png -> acceptedAgain.flag()));
  }

  @Test
  @DisplayName("A JSON body over max_body_bytes gets 413 with a JSON error naming the limit")
  void jsonBodyTooLarge(VertxTestContext ctx) {
    Checkpoint tooLarge = ctx.checkpoint();
    JsonObject big =
        new JsonObject().put("image", "A".repeat((int) MAX_BODY * 2)).put("prompt", "a red circle");
    client
        .postJson("/v1/edits", big)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(413, r.statusCode(), r.bodyAsString());
                          assertEquals("application/json", r.getHeader("Content-Type"));
                          assertTrue(
                              r.bodyAsJsonObject()
                                  .getString("error")
                                  .contains(String.valueOf(MAX_BODY)),
                              r.bodyAsString());
                          tooLarge.flag();
                        })));
  }

  @Test
  @DisplayName("A multipart upload over max_body_bytes gets 413 with a JSON error")
  void multipartTooLarge(VertxTestContext ctx) {
    Checkpoint tooLarge = ctx.checkpoint();
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload(
                "image", "big.png", TestImages.png(TestImages.random(64, 7)), "image/png")
            .binaryFileUpload(
                "mask", "mask.png", TestImages.png(TestImages.rectMask(0, 0, 4, 4)), "image/png")
            .attribute("prompt", "a red circle");
    client
        .postForm("/v1/edits", form)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(413, r.statusCode(), r.bodyAsString());
                          assertTrue(
                              r.bodyAsJsonObject()
                                  .getString("error")
                                  .contains(String.valueOf(MAX_BODY)),
                              r.bodyAsString());
                          tooLarge.flag();
                        })));
  }
}
