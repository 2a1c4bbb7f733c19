package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An edit over real HTTP from submission to PNG: multipart, JSON with base64 images, and JSON
 * naming a template.
 */
class EditRoundTripTest extends SharedService {

  @Test
  @DisplayName(
      "A multipart edit is accepted with 202, runs to completed and returns a PNG whose unmasked pixels are the template's")
  void multipartRoundTrip(VertxTestContext ctx) {
    RgbImage template = TestImages.template(101);
    RgbImage mask = TestImages.rectMask(3, 2, 6, 7);
    roundTrip(
        ctx,
        template,
        mask,
        client.postForm(
            "/v1/edits", ServiceClient.editForm(template, mask, "a red circle", 6, 42L)),
        6,
        42L);
  }

  @Test
  @DisplayName(
      "A JSON edit with base64 images (one as a data: URL) and steps written 5.0 (a whole JSON"
          + " number) is accepted with 202 as 5 steps and returns the same kind of PNG")
  void jsonRoundTrip(VertxTestContext ctx) {
    RgbImage template = TestImages.template(102);
    RgbImage mask = TestImages.rectMask(5, 9, 9, 5);
    JsonObject body = ServiceClient.editJson(template, mask, "a small blue square", 5, 7L);
    body.put("mask", "data:image/png;base64," + body.getString("mask"));
    body.put("steps", 5.0);
    roundTrip(ctx, template, mask, client.postJson("/v1/edits", body), 5, 7L);
  }

  @Test
  @DisplayName(
      "A JSON edit naming only the template_id of an image uploaded before edits that image")
  void jsonByTemplateId(VertxTestContext ctx) {
    RgbImage template = TestImages.template(103);
    RgbImage firstMask = TestImages.rectMask(0, 0, 5, 5);
    RgbImage secondMask = TestImages.rectMask(10, 6, 6, 10);
    Checkpoint uploaded = ctx.checkpoint();
    Checkpoint edited = ctx.checkpoint();
    client
        .postForm("/v1/edits", ServiceClient.editForm(template, firstMask, "a green star", 4, 1L))
        .compose(
            first -> {
              ctx.verify(() -> assertEquals(202, first.statusCode(), first.bodyAsString()));
              JsonObject accepted = first.bodyAsJsonObject();
              return client
                  .awaitFinished(accepted.getString("id"))
                  .map(s -> accepted.getString("template_id"));
            })
        .compose(
            templateId -> {
              ctx.verify(() -> assertNotNull(templateId, "202 names the template"));
              uploaded.flag();
              JsonObject byId =
                  new JsonObject()
                      .put("template_id", templateId)
                      .put("mask", TestImages.base64(secondMask))
                      .put("prompt", "a yellow ring")
                      .put("steps", 4)
                      .put("seed", 2);
              return client
                  .postJson("/v1/edits", byId)
                  .compose(
                      r ->
                          finishAndFetch(ctx, r, 4, 2L)
                              .map(
                                  png -> {
                                    ctx.verify(
                                        () ->
                                            assertEquals(
                                                templateId,
                                                r.bodyAsJsonObject().getString("template_id"),
                                                "the edit runs on the named template"));
                                    return png;
                                  }));
            })
        .onComplete(
            ctx.succeeding(
                png ->
                    ctx.verify(
                        () -> {
                          TestImages.assertUnmaskedIdentical(
                              template, TestImages.editPixels(secondMask), png);
                          edited.flag();
                        })));
  }

  private static void roundTrip(
      VertxTestContext ctx,
      RgbImage template,
      RgbImage mask,
      Future<HttpResponse<Buffer>> submitted,
      int steps,
      long seed) {
    Checkpoint done = ctx.checkpoint();
    submitted
        .compose(r -> finishAndFetch(ctx, r, steps, seed))
        .onComplete(
            ctx.succeeding(
                png ->
                    ctx.verify(
                        () -> {
                          TestImages.assertUnmaskedIdentical(
                              template, TestImages.editPixels(mask), png);
                          done.flag();
                        })));
  }

  /** Checks the 202, follows status_url to completed, and fetches the image. */
  private static Future<byte[]> finishAndFetch(
      VertxTestContext ctx, HttpResponse<Buffer> accepted, int steps, long seed) {
    ctx.verify(
        () -> {
          assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
          JsonObject a = accepted.bodyAsJsonObject();
          String id = a.getString("id");
          assertNotNull(id, "202 carries the edit id: " + a);
          assertEquals("/v1/edits/" + id, a.getString("status_url"), "status_url");
          assertEquals("/v1/edits/" + id + "/events", a.getString("events_url"), "events_url");
          assertEquals(
              64, a.getString("template_id").length(), "template_id is a SHA-256 in hex: " + a);
          assertEquals(steps, a.getInteger("steps"), "steps as asked");
          assertEquals(seed, a.getLong("seed"), "seed as asked");
        });
    JsonObject a = accepted.bodyAsJsonObject();
    return client
        .awaitFinished(a.getString("id"))
        .compose(
            status -> {
              ctx.verify(
                  () -> {
                    assertEquals(
                        "completed", status.getString("status"), "final status: " + status);
                    assertEquals(steps, status.getInteger("step"), "every step ran: " + status);
                    assertTrue(
                        status.getJsonObject("timings").containsKey("denoise_ms"),
                        "timings: " + status);
                    assertTrue(
                        status
                            .getString("image_url")
                            .startsWith("/results/" + a.getString("id") + "?expires="),
                        "image_url is a signed result URL: " + status);
                  });
              return client.get(status.getString("image_url"));
            })
        .map(
            image -> {
              ctx.verify(
                  () -> {
                    assertEquals(200, image.statusCode(), image.bodyAsString());
                    assertEquals("image/png", image.getHeader("Content-Type"));
                  });
              return image.body().getBytes();
            });
  }
}
