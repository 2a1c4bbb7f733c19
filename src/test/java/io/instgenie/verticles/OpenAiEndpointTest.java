package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible synchronous POST /v1/images/edits: transparent mask pixels mark the edit.
 */
class OpenAiEndpointTest extends SharedService {

  private static MultipartForm form(RgbImage template, byte[] mask, String n, String format) {
    return form(template, mask, n, format, "a white star");
  }

  /** The form with {@code prompt} (none when null). */
  private static MultipartForm form(
      RgbImage template, byte[] mask, String n, String format, String prompt) {
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload("image", "image.png", TestImages.png(template), "image/png")
            .binaryFileUpload("mask", "mask.png", Buffer.buffer(mask), "image/png");
    if (prompt != null) form.attribute("prompt", prompt);
    if (n != null) form.attribute("n", n);
    if (format != null) form.attribute("response_format", format);
    return form;
  }

  @Test
  @DisplayName(
      "n=2 with b64_json answers 200 {created, data} with two PNGs whose opaque-mask pixels are the template's")
  void twoImagesAsBase64(VertxTestContext ctx) {
    RgbImage template = TestImages.template(701);
    int x0 = 2;
    int y0 = 5;
    int w = 9;
    int h = 6;
    Checkpoint answered = ctx.checkpoint();
    client
        .postForm(
            "/v1/images/edits",
            form(template, TestImages.alphaMaskPng(x0, y0, w, h), "2", "b64_json"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, r.statusCode(), r.bodyAsString());
                          JsonObject body = r.bodyAsJsonObject();
                          assertTrue(
                              body.getLong("created") > 0, "created is a Unix time: " + body);
                          JsonArray data = body.getJsonArray("data");
                          assertEquals(2, data.size(), "one entry per image asked for");
                          for (int i = 0; i < data.size(); i++) {
                            String b64 = data.getJsonObject(i).getString("b64_json");
                            assertNotNull(b64, "entry " + i + " carries b64_json");
                            TestImages.assertUnmaskedIdentical(
                                template,
                                TestImages.rect(x0, y0, w, h),
                                Base64.getDecoder().decode(b64));
                          }
                          answered.flag();
                        })));
  }

  @Test
  @DisplayName(
      "response_format=url answers a signed URL whose GET is the PNG; another format gets 400")
  void urlFormat(VertxTestContext ctx) {
    Checkpoint fetched = ctx.checkpoint();
    Checkpoint refused = ctx.checkpoint();
    client
        .postForm(
            "/v1/images/edits",
            form(TestImages.template(702), TestImages.alphaMaskPng(0, 0, 4, 4), "1", "url"))
        .compose(
            r -> {
              ctx.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
              String url =
                  r.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("url");
              ctx.verify(
                  () ->
                      assertTrue(
                          url.startsWith("http://127.0.0.1:" + client.port() + "/results/"), url));
              return client.web.getAbs(url).send();
            })
        .onComplete(
            ctx.succeeding(
                img ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, img.statusCode(), img.bodyAsString());
                          assertEquals("image/png", img.getHeader("Content-Type"));
                          fetched.flag();
                        })));
    client
        .postForm(
            "/v1/images/edits",
            form(TestImages.template(704), TestImages.alphaMaskPng(0, 0, 4, 4), "1", "jpeg"))
        .onComplete(ErrorReplies.expectError(ctx, refused, 400, "b64_json or url"));
  }

  @Test
  @DisplayName("A mask without an alpha channel gets 400 saying transparency marks the edit")
  void maskWithoutAlphaRefused(VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    byte[] opaque = TestImages.pngBytes(TestImages.rectMask(0, 0, 4, 4));
    client
        .postForm("/v1/images/edits", form(TestImages.template(703), opaque, null, null))
        .onComplete(ErrorReplies.expectError(ctx, refused, 400, "alpha"));
  }

  @Test
  @DisplayName("n outside 1..8 or not a number gets 400 naming n")
  void badNRefused(VertxTestContext ctx) {
    Checkpoint zero = ctx.checkpoint();
    Checkpoint word = ctx.checkpoint();
    byte[] mask = TestImages.alphaMaskPng(0, 0, 4, 4);
    client
        .postForm("/v1/images/edits", form(TestImages.template(704), mask, "0", "b64_json"))
        .onComplete(ErrorReplies.expectError(ctx, zero, 400, "n must be between 1 and 8"));
    client
        .postForm("/v1/images/edits", form(TestImages.template(704), mask, "two", "b64_json"))
        .onComplete(ErrorReplies.expectError(ctx, word, 400, "n must be a whole number"));
  }

  @Test
  @DisplayName(
      "callback_url, timeout_ms or template_id (POST /v1/edits's own) get 400 naming the field;"
          + " OpenAI's other fields (model, user) are tolerated")
  void asynchronousFieldsRefused(VertxTestContext ctx) {
    byte[] mask = TestImages.alphaMaskPng(0, 0, 4, 4);
    for (String[] f :
        new String[][] {
          {"callback_url", "http://127.0.0.1:9/hook"}, {"timeout_ms", "1"}, {"template_id", "x"}
        }) {
      Checkpoint refused = ctx.checkpoint();
      client
          .postForm(
              "/v1/images/edits",
              form(TestImages.template(707), mask, null, null).attribute(f[0], f[1]))
          .onComplete(ErrorReplies.expectError(ctx, refused, 400, "field '" + f[0] + "'"));
    }
    Checkpoint tolerated = ctx.checkpoint();
    client
        .postForm(
            "/v1/images/edits",
            form(TestImages.template(707), mask, null, null)
                .attribute("model", "dall-e-2")
                .attribute("user", "u1"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, r.statusCode(), r.bodyAsString());
                          tolerated.flag();
                        })));
  }

  @Test
  @DisplayName(
      "No prompt, no image (the route takes no template_id), a mask with no transparent pixel, or"
          + " a JSON body, gets 400 saying what the route takes")
  void promptRequiredAndMultipartOnly(VertxTestContext ctx) {
    Checkpoint noPrompt = ctx.checkpoint();
    Checkpoint noImage = ctx.checkpoint();
    Checkpoint nothingToEdit = ctx.checkpoint();
    Checkpoint json = ctx.checkpoint();
    MultipartForm imageless =
        MultipartForm.create()
            .binaryFileUpload(
                "mask", "mask.png", Buffer.buffer(TestImages.alphaMaskPng(0, 0, 4, 4)), "image/png")
            .attribute("prompt", "a white star");
    client
        .postForm("/v1/images/edits", imageless)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          ErrorReplies.assertError(r, 400, "image is required");
                          assertFalse(r.bodyAsString().contains("template_id"), r.bodyAsString());
                          noImage.flag();
                        })));
    client
        .postForm(
            "/v1/images/edits",
            form(TestImages.template(706), TestImages.alphaMaskPng(0, 0, 0, 0), null, null))
        .onComplete(
            ErrorReplies.expectError(ctx, nothingToEdit, 400, "no fully transparent pixel"));
    MultipartForm form =
        form(TestImages.template(705), TestImages.alphaMaskPng(0, 0, 4, 4), null, null, null);
    client
        .postForm("/v1/images/edits", form)
        .onComplete(ErrorReplies.expectError(ctx, noPrompt, 400, "prompt is required"));
    client
        .postJson("/v1/images/edits", new JsonObject().put("prompt", "a white star"))
        .onComplete(ErrorReplies.expectError(ctx, json, 400, "multipart/form-data"));
  }

  @Test
  @DisplayName(
      "size: another size than the model's gets 400 naming the model's; its own size and auto run")
  void sizeIsTheModels(VertxTestContext ctx) {
    Checkpoint refused = ctx.checkpoint();
    Checkpoint own = ctx.checkpoint();
    Checkpoint auto = ctx.checkpoint();
    RgbImage template = TestImages.template(706);
    byte[] mask = TestImages.alphaMaskPng(0, 0, 4, 4);
    String side = template.width() + "x" + template.height();
    client
        .postForm(
            "/v1/images/edits", form(template, mask, null, null).attribute("size", "1024x1024"))
        .onComplete(ErrorReplies.expectError(ctx, refused, 400, "size must be " + side));
    for (var c :
        java.util.List.of(java.util.Map.entry(side, own), java.util.Map.entry("auto", auto))) {
      client
          .postForm(
              "/v1/images/edits", form(template, mask, null, null).attribute("size", c.getKey()))
          .onComplete(
              ctx.succeeding(
                  r ->
                      ctx.verify(
                          () -> {
                            assertEquals(200, r.statusCode(), r.bodyAsString());
                            c.getValue().flag();
                          })));
    }
  }
}
