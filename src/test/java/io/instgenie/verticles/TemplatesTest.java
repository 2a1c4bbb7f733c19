package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.edit.TemplateId;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pre-warming: PUT /v1/templates answers once the template run is done, and later edits of it skip
 * that run.
 */
class TemplatesTest extends SharedService {
  private static final int STEPS = 6;
  private static final String HITS = "instgenie_template_cache_hits_total";

  @Test
  @DisplayName(
      "PUT /v1/templates answers 200 ready with the template id, GET says ready, and an edit of it has no template events")
  void prewarmedTemplateIsACacheHit(VertxTestContext ctx) {
    RgbImage template = TestImages.template(801);
    RgbImage mask = TestImages.rectMask(6, 1, 7, 8);
    String expectedId = TemplateId.of(template, client.model.digest(), STEPS);
    MultipartForm put =
        MultipartForm.create()
            .binaryFileUpload("image", "template.png", TestImages.png(template), "image/png")
            .attribute("steps", String.valueOf(STEPS));
    Checkpoint warmed = ctx.checkpoint();
    Checkpoint hit = ctx.checkpoint();
    client
        .putForm("/v1/templates", put)
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertEquals(200, r.statusCode(), r.bodyAsString());
                    assertEquals(
                        expectedId,
                        r.bodyAsJsonObject().getString("template_id"),
                        r.bodyAsString());
                    assertEquals(
                        "ready", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
                  });
              return client.get("/v1/templates/" + expectedId);
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertEquals(200, r.statusCode(), r.bodyAsString());
                    assertEquals(
                        new JsonObject()
                            .put("template_id", expectedId)
                            .put("status", "ready")
                            .put("tiers", new io.vertx.core.json.JsonArray().add("memory")),
                        r.bodyAsJsonObject());
                    warmed.flag();
                  });
              return client.metric(HITS);
            })
        .compose(
            hitsBefore ->
                editAndFollow(ServiceClient.editForm(template, mask, "a cyan triangle", STEPS, 5L))
                    .compose(
                        events ->
                            client
                                .metric(HITS)
                                .map(
                                    hitsAfter -> {
                                      ctx.verify(
                                          () -> {
                                            String id = events.get(0).getString("id");
                                            Lifecycle.assertCompleted(events, id, STEPS);
                                            assertEquals(
                                                0,
                                                Lifecycle.count(events, "template"),
                                                "a cached template runs no template steps: "
                                                    + events);
                                            assertEquals(
                                                hitsBefore + 1,
                                                hitsAfter,
                                                HITS + " counts the edit's lookup");
                                          });
                                      return events.get(0).getString("id");
                                    })))
        .compose(id -> client.get("/v1/edits/" + id + "/image"))
        .onComplete(
            ctx.succeeding(
                png ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, png.statusCode());
                          TestImages.assertUnmaskedIdentical(
                              template, TestImages.editPixels(mask), png.body().getBytes());
                          hit.flag();
                        })));
  }

  @Test
  @DisplayName(
      "A template pre-warmed with JSON can be edited by template_id alone, without a template run")
  void prewarmedByJsonEditedById(VertxTestContext ctx) {
    RgbImage template = TestImages.template(802);
    RgbImage mask = TestImages.rectMask(0, 9, 16, 3);
    Checkpoint edited = ctx.checkpoint();
    client
        .web
        .put(client.port(), ServiceClient.HOST, "/v1/templates")
        .sendJsonObject(
            new JsonObject().put("image", TestImages.base64(template)).put("steps", STEPS))
        .compose(
            r -> {
              ctx.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
              JsonObject byId =
                  new JsonObject()
                      .put("template_id", r.bodyAsJsonObject().getString("template_id"))
                      .put("mask", TestImages.base64(mask))
                      .put("prompt", "a black ring")
                      .put("steps", STEPS);
              return client.postJson("/v1/edits", byId);
            })
        .compose(
            r -> {
              ctx.verify(() -> assertEquals(202, r.statusCode(), r.bodyAsString()));
              String id = r.bodyAsJsonObject().getString("id");
              return client
                  .sse(id)
                  .compose(EventStream::end)
                  .map(
                      events -> {
                        ctx.verify(
                            () -> {
                              Lifecycle.assertCompleted(events, id, STEPS);
                              assertEquals(
                                  0,
                                  Lifecycle.count(events, "template"),
                                  "no template run: " + events);
                            });
                        return id;
                      });
            })
        .compose(id -> client.get("/v1/edits/" + id + "/image"))
        .onComplete(
            ctx.succeeding(
                png ->
                    ctx.verify(
                        () -> {
                          TestImages.assertUnmaskedIdentical(
                              template, TestImages.editPixels(mask), png.body().getBytes());
                          edited.flag();
                        })));
  }

  @Test
  @DisplayName(
      "An edit by template_id without steps runs the steps the template was warmed for, on its cache")
  void editByIdTakesTheTemplatesSteps(VertxTestContext ctx) {
    int warmed =
        TestImages.TINY.defaultSteps() + 2; // not the model's default, or this proves nothing
    RgbImage template = TestImages.template(803);
    RgbImage mask = TestImages.rectMask(0, 9, 16, 3);
    Checkpoint edited = ctx.checkpoint();
    String[] templateId = new String[1];
    client
        .web
        .put(client.port(), ServiceClient.HOST, "/v1/templates")
        .sendJsonObject(
            new JsonObject().put("image", TestImages.base64(template)).put("steps", warmed))
        .compose(
            r -> {
              ctx.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
              templateId[0] = r.bodyAsJsonObject().getString("template_id");
              JsonObject byId =
                  new JsonObject()
                      .put("template_id", templateId[0])
                      .put("mask", TestImages.base64(mask))
                      .put("prompt", "a black ring");
              return client.postJson("/v1/edits", byId);
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertEquals(202, r.statusCode(), r.bodyAsString());
                    assertEquals(templateId[0], r.bodyAsJsonObject().getString("template_id"));
                    assertEquals(warmed, r.bodyAsJsonObject().getInteger("steps"));
                  });
              String id = r.bodyAsJsonObject().getString("id");
              return client.sse(id).compose(EventStream::end).map(events -> Map.entry(id, events));
            })
        .onComplete(
            ctx.succeeding(
                e ->
                    ctx.verify(
                        () -> {
                          Lifecycle.assertCompleted(e.getValue(), e.getKey(), warmed);
                          assertEquals(
                              0,
                              Lifecycle.count(e.getValue(), "template"),
                              "no template run: " + e.getValue());
                          edited.flag();
                        })));
  }

  @Test
  @DisplayName(
      "An unknown template id gets 404, and an undecodable template upload 400, each with a JSON error")
  void unknownAndBadTemplates(VertxTestContext ctx) {
    Checkpoint unknown = ctx.checkpoint();
    Checkpoint bad = ctx.checkpoint();
    client
        .get("/v1/templates/feedface")
        .onComplete(ErrorReplies.expectError(ctx, unknown, 404, "feedface"));
    MultipartForm put =
        MultipartForm.create()
            .binaryFileUpload("image", "x.png", Buffer.buffer("GIF89a"), "image/gif");
    client
        .putForm("/v1/templates", put)
        .onComplete(ErrorReplies.expectError(ctx, bad, 400, "not a readable PNG/JPEG"));
  }

  private static Future<List<JsonObject>> editAndFollow(MultipartForm form) {
    return client
        .postForm("/v1/edits", form)
        .compose(
            (HttpResponse<Buffer> r) ->
                r.statusCode() == 202
                    ? client.ws(r.bodyAsJsonObject().getString("id")).compose(EventStream::end)
                    : Future.failedFuture(
                        new AssertionError(
                            "edit not accepted: " + r.statusCode() + " " + r.bodyAsString())));
  }
}
