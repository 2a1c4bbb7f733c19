package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.TemplateId;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets 400 or 404 with a JSON {error} that says what is wrong, and nothing of the
 * rejected request is kept: its template is unknown afterwards and no job stays in the table. No
 * edit is ever accepted by this class's service, so the unfinished-jobs gauge must stay 0.
 */
class BadInputTest extends SharedService {
  private static final int DEFAULT_STEPS = TestImages.TINY.defaultSteps();

  @Test
  @DisplayName("An image that is neither PNG nor JPEG gets 400 saying so")
  void undecodableImage(VertxTestContext ctx) {
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload(
                "image", "notes.png", Buffer.buffer("this is not an image"), "image/png")
            .binaryFileUpload(
                "mask", "mask.png", TestImages.png(TestImages.rectMask(0, 0, 4, 4)), "image/png")
            .attribute("prompt", "a red circle");
    rejects(
        ctx,
        client.postForm("/v1/edits", form),
        400,
        null,
        0,
        "image",
        "not a readable PNG/JPEG",
        "signature");
  }

  @Test
  @DisplayName("A truncated PNG gets 400 saying it is truncated")
  void truncatedPng(VertxTestContext ctx) {
    byte[] png = TestImages.pngBytes(TestImages.template(601));
    byte[] half = Arrays.copyOf(png, png.length / 2);
    JsonObject body =
        new JsonObject()
            .put("image", Base64.getEncoder().encodeToString(half))
            .put("mask", TestImages.base64(TestImages.rectMask(0, 0, 4, 4)))
            .put("prompt", "a red circle");
    rejects(
        ctx,
        client.postJson("/v1/edits", body),
        400,
        null,
        0,
        "image",
        "not a readable PNG/JPEG",
        "truncated");
  }

  @Test
  @DisplayName("A mask of another size than the template gets 400 naming both sizes")
  void maskOfAnotherSize(VertxTestContext ctx) {
    RgbImage template = TestImages.template(602);
    RgbImage mask = TestImages.rectMask(8, 0, 0, 4, 4);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits", ServiceClient.editForm(template, mask, "a red circle", null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "mask is 8x8",
        "template is 16x16");
  }

  @Test
  @DisplayName("An image that is not the model's size gets 400 naming the size the model takes")
  void imageOfAnotherSize(VertxTestContext ctx) {
    RgbImage template = TestImages.random(32, 603);
    RgbImage mask = TestImages.rectMask(32, 0, 0, 8, 8);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits", ServiceClient.editForm(template, mask, "a red circle", null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "32x32",
        "16x16");
  }

  @Test
  @DisplayName("An unknown prompt word gets 400 naming the word and listing the vocabulary")
  void unknownPromptWord(VertxTestContext ctx) {
    RgbImage template = TestImages.template(604);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(
                template, TestImages.rectMask(0, 0, 4, 4), "a purple unicorn", null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "unicorn",
        "vocabulary",
        "circle",
        "triangle",
        "gradient");
  }

  @Test
  @DisplayName("A prompt with more words than the model takes gets 400 giving both counts")
  void tooManyWords(VertxTestContext ctx) {
    RgbImage template = TestImages.template(605);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(
                template,
                TestImages.rectMask(0, 0, 4, 4),
                "a big red circle on stripes",
                null,
                null)),
        400,
        template,
        DEFAULT_STEPS,
        "6 words",
        "at most " + TestImages.TINY.promptTokens());
  }

  @Test
  @DisplayName("An edit naming an unknown template_id gets 404 naming it")
  void unknownTemplateId(VertxTestContext ctx) {
    String id = "0".repeat(64);
    JsonObject body =
        new JsonObject()
            .put("template_id", id)
            .put("mask", TestImages.base64(TestImages.rectMask(0, 0, 4, 4)))
            .put("prompt", "a red circle");
    rejects(ctx, client.postJson("/v1/edits", body), 404, null, 0, "unknown template_id", id);
  }

  @Test
  @DisplayName("An edit without a mask gets 400 saying the mask is missing")
  void missingMask(VertxTestContext ctx) {
    RgbImage template = TestImages.template(606);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits", ServiceClient.editForm(template, null, "a red circle", null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "mask is missing");
  }

  @Test
  @DisplayName("steps = 0 gets 400 saying steps must be positive")
  void zeroSteps(VertxTestContext ctx) {
    RgbImage template = TestImages.template(607);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(
                template, TestImages.rectMask(0, 0, 4, 4), "a red circle", 0, null)),
        400,
        template,
        0,
        "steps must be a positive number, got 0");
  }

  @Test
  @DisplayName(
      "A non-numeric seed gets 400 quoting it, from a form and from JSON (where a string is not a"
          + " number)")
  void nonNumericSeed(VertxTestContext ctx) {
    RgbImage template = TestImages.template(608);
    RgbImage mask = TestImages.rectMask(0, 0, 4, 4);
    MultipartForm form =
        ServiceClient.editForm(template, mask, "a red circle", null, null).attribute("seed", "abc");
    Checkpoint bothSent = ctx.checkpoint(); // the first answer alone must not end the test
    rejects(
        ctx,
        client.postForm("/v1/edits", form),
        400,
        template,
        DEFAULT_STEPS,
        "seed must be a whole number",
        "'abc'");
    JsonObject json =
        ServiceClient.editJson(template, mask, "a red circle", null, null).put("seed", "12x");
    rejects(
        ctx,
        client.postJson("/v1/edits", json),
        400,
        template,
        DEFAULT_STEPS,
        "seed must be a JSON number",
        "the string \"12x\"");
    bothSent.flag();
  }

  @Test
  @DisplayName(
      "A body that is neither JSON nor a form, JSON that does not parse, or a form whose parts miss its"
          + " boundary gets 400 saying what to send")
  void unreadableBody(VertxTestContext ctx) {
    Checkpoint bothSent = ctx.checkpoint(); // the first answer alone must not end the test
    rejects(
        ctx,
        client.post("/v1/edits", "text/plain", Buffer.buffer("edit please")),
        400,
        null,
        0,
        "multipart/form-data",
        "application/json");
    rejects(
        ctx,
        client.post("/v1/edits", "application/json", Buffer.buffer("{\"prompt\": ")),
        400,
        null,
        0,
        "not valid JSON");
    rejects(
        ctx,
        client.post(
            "/v1/edits",
            "multipart/form-data; boundary=expected",
            Buffer.buffer(
                "--other\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nred\r\n"
                    + "--other--\r\n")),
        400,
        null,
        0,
        "holds no fields",
        "boundary");
    bothSent.flag();
  }

  @Test
  @DisplayName("A prompt field longer than a form's 8 KiB default gets the prompt's 400, not a 500")
  void longPromptInAForm(VertxTestContext ctx) {
    RgbImage template = TestImages.template(609);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(
                template, TestImages.rectMask(0, 0, 4, 4), "red ".repeat(2500), null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "2500 words",
        "at most " + TestImages.TINY.promptTokens());
  }

  @Test
  @DisplayName("JSON that is not an object gets 400 saying an object is wanted, no class names")
  void jsonThatIsNotAnObject(VertxTestContext ctx) {
    Checkpoint allSent = ctx.checkpoint();
    for (String body : new String[] {"[1]", "\"hi\"", "12"}) {
      rejects(
          ctx,
          client.post("/v1/edits", "application/json", Buffer.buffer(body)),
          400,
          null,
          0,
          "must be an object",
          "prompt");
    }
    rejects(
        ctx,
        client.post("/v1/edits", "application/json", Buffer.buffer("{\"prompt\": ")),
        400,
        null,
        0,
        "not valid JSON");
    allSent.flag();
  }

  @Test
  @DisplayName("An image that is not base64 gets 400 saying so, from JSON and from a form field")
  void notBase64(VertxTestContext ctx) {
    Checkpoint bothSent = ctx.checkpoint();
    JsonObject body =
        new JsonObject()
            .put("image", "!!!!")
            .put("mask", TestImages.base64(TestImages.rectMask(0, 0, 4, 4)))
            .put("prompt", "a red circle");
    rejects(ctx, client.postJson("/v1/edits", body), 400, null, 0, "image is not valid base64");
    MultipartForm form =
        MultipartForm.create()
            .attribute("image", "not*base64")
            .binaryFileUpload(
                "mask", "mask.png", TestImages.png(TestImages.rectMask(0, 0, 4, 4)), "image/png")
            .attribute("prompt", "a red circle");
    rejects(ctx, client.postForm("/v1/edits", form), 400, null, 0, "image is not valid base64");
    bothSent.flag();
  }

  @Test
  @DisplayName("cancel_on_close other than 1/true/0/false gets 400 quoting it")
  void badCancelOnClose(VertxTestContext ctx) {
    rejects(
        ctx,
        client.get("/v1/edits/" + "0".repeat(36) + "/events?cancel_on_close=maybe"),
        400,
        null,
        0,
        "cancel_on_close must be 1, true, 0 or false, got maybe");
  }

  @Test
  @DisplayName("An edit with both an image and a template_id gets 400 asking for one of them")
  void imageAndTemplateId(VertxTestContext ctx) {
    RgbImage template = TestImages.template(610);
    JsonObject body =
        ServiceClient.editJson(
                template, TestImages.rectMask(0, 0, 4, 4), "a red circle", null, null)
            .put("template_id", "0".repeat(64));
    rejects(
        ctx,
        client.postJson("/v1/edits", body),
        400,
        template,
        DEFAULT_STEPS,
        "either image or template_id");
  }

  @Test
  @DisplayName(
      "A field the route does not take, one given twice (in a form or in JSON), or a text field sent"
          + " as a file, gets 400 naming it")
  void unknownAndRepeatedFields(VertxTestContext ctx) {
    RgbImage template = TestImages.template(611);
    RgbImage mask = TestImages.rectMask(0, 0, 4, 4);
    Checkpoint allSent = ctx.checkpoint();
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(template, mask, "a red circle", null, null)
                .attribute("promt", "a red circle")),
        400,
        template,
        DEFAULT_STEPS,
        "unknown field 'promt'",
        "prompt");
    rejects(
        ctx,
        client.postJson(
            "/v1/edits",
            ServiceClient.editJson(template, mask, "a red circle", null, null).put("stpes", 3)),
        400,
        template,
        DEFAULT_STEPS,
        "unknown field 'stpes'");
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(template, mask, "a red circle", null, null)
                .attribute("prompt", "a blue circle")),
        400,
        template,
        DEFAULT_STEPS,
        "'prompt' is given more than once");
    // JSON cannot hold a field twice once parsed, so the body is written out by hand
    String json = ServiceClient.editJson(template, mask, "a red circle", null, null).encode();
    rejects(
        ctx,
        client.post(
            "/v1/edits",
            "application/json",
            Buffer.buffer("{\"prompt\": \"a blue circle\", " + json.substring(1))),
        400,
        template,
        DEFAULT_STEPS,
        "'prompt' is given more than once");
    // a text field sent as a file (curl -F steps=@n.txt) is not read as absent
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(template, mask, "a red circle", null, null)
                .textFileUpload("steps", "n.txt", Buffer.buffer("3"), "text/plain")),
        400,
        template,
        DEFAULT_STEPS,
        "field 'steps' must be a text field, not a file");
    allSent.flag();
  }

  @Test
  @DisplayName(
      "A known path under another method gets 405 with Allow; an unknown or very long one a JSON 404")
  void wrongMethodAndLongPaths(VertxTestContext ctx) {
    Checkpoint answered = ctx.checkpoint(3);
    client
        .web
        .put(client.port(), ServiceClient.HOST, "/v1/edits")
        .send()
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(405, r.statusCode(), r.bodyAsString());
                          assertEquals("POST", r.getHeader("Allow"));
                          assertTrue(
                              r.bodyAsJsonObject()
                                  .getString("error")
                                  .contains("PUT is not allowed"),
                              r.bodyAsString());
                          answered.flag();
                        })));
    client
        .delete("/v1/templates/abc")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(405, r.statusCode(), r.bodyAsString());
                          assertEquals("GET, HEAD", r.getHeader("Allow"));
                          answered.flag();
                        })));
    client
        .get("/v1/templates/" + "a".repeat(6000))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(404, r.statusCode(), r.bodyAsString());
                          assertNotNull(r.bodyAsJsonObject().getString("error"));
                          answered.flag();
                        })));
  }

  /**
   * Checks the status and that the JSON error contains every phrase; then that nothing was kept:
   * the template (when the request had a decodable one) is unknown and no job is unfinished.
   */
  @Test
  @DisplayName(
      "An edit without a prompt field gets 400 (an empty prompt is how to ask for none), JSON and"
          + " form alike")
  void missingPrompt(VertxTestContext ctx) {
    Checkpoint bothSent = ctx.checkpoint(); // the first answer alone must not end the test
    RgbImage template = TestImages.template(621);
    JsonObject json =
        ServiceClient.editJson(template, TestImages.rectMask(0, 0, 4, 4), "", null, null);
    json.remove("prompt");
    rejects(
        ctx,
        client.postJson("/v1/edits", json),
        400,
        template,
        DEFAULT_STEPS,
        "prompt is required",
        "empty prompt");
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload("image", "t.png", TestImages.png(template), "image/png")
            .binaryFileUpload(
                "mask", "m.png", TestImages.png(TestImages.rectMask(0, 0, 4, 4)), "image/png");
    rejects(
        ctx,
        client.postForm("/v1/edits", form),
        400,
        template,
        DEFAULT_STEPS,
        "prompt is required");
    bothSent.flag();
  }

  @Test
  @DisplayName("A mask that selects no pixel gets 400 saying there is nothing to edit")
  void emptyMask(VertxTestContext ctx) {
    RgbImage template = TestImages.template(622);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(
                template, TestImages.rectMask(0, 0, 0, 0), "a red circle", null, null)),
        400,
        template,
        DEFAULT_STEPS,
        "mask selects no pixel",
        "nothing to edit");
  }

  @Test
  @DisplayName(
      "A small PNG whose header declares a huge image gets 400 naming its size, from the header"
          + " alone (its data would not even decode)")
  void hugeDeclaredImage(VertxTestContext ctx) {
    MultipartForm form = withImage(TestImages.pngHeaderOnly(8000, 8000));
    rejects(
        ctx, client.postForm("/v1/edits", form), 400, null, 0, "template is 8000x8000", "16x16");
  }

  @Test
  @DisplayName("A PNG that declares a 0x0 image gets 400 saying so")
  void zeroSizedPng(VertxTestContext ctx) {
    MultipartForm form = withImage(TestImages.pngHeaderOnly(0, 0));
    rejects(ctx, client.postForm("/v1/edits", form), 400, null, 0, "declares a 0x0 image");
  }

  /** An edit form whose image is these bytes, with a sound mask and prompt. */
  private static MultipartForm withImage(byte[] image) {
    return MultipartForm.create()
        .binaryFileUpload("image", "image.png", Buffer.buffer(image), "image/png")
        .binaryFileUpload(
            "mask", "m.png", TestImages.png(TestImages.rectMask(0, 0, 4, 4)), "image/png")
        .attribute("prompt", "a red circle");
  }

  @Test
  @DisplayName(
      "Number fields: an empty form field, a JSON string and digits past the type's range get 400"
          + " saying which")
  void numberFields(VertxTestContext ctx) {
    Checkpoint allSent = ctx.checkpoint(); // the first answer alone must not end the test
    RgbImage template = TestImages.template(623);
    RgbImage mask = TestImages.rectMask(0, 0, 4, 4);
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(template, mask, "a red circle", null, null)
                .attribute("steps", "")),
        400,
        template,
        DEFAULT_STEPS,
        "steps is empty",
        "leave the field out");
    rejects(
        ctx,
        client.postJson(
            "/v1/edits",
            ServiceClient.editJson(template, mask, "a red circle", null, null).put("steps", "3")),
        400,
        template,
        DEFAULT_STEPS,
        "steps must be a JSON number",
        "the string \"3\"");
    rejects(
        ctx,
        client.postForm(
            "/v1/edits",
            ServiceClient.editForm(template, mask, "a red circle", null, null)
                .attribute("steps", "99999999999999")),
        400,
        template,
        DEFAULT_STEPS,
        "steps must be between",
        "2147483647");
    allSent.flag();
  }

  private static void rejects(
      VertxTestContext ctx,
      Future<HttpResponse<Buffer>> sent,
      int status,
      RgbImage template,
      int steps,
      String... phrases) {
    Checkpoint answered = ctx.checkpoint();
    Checkpoint forgotten = ctx.checkpoint();
    sent.compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertEquals(status, r.statusCode(), r.bodyAsString());
                    assertEquals("application/json", r.getHeader("Content-Type"), r.bodyAsString());
                    String error = r.bodyAsJsonObject().getString("error");
                    assertNotNull(error, "a JSON {error}: " + r.bodyAsString());
                    for (String phrase : phrases) {
                      assertTrue(
                          error.contains(phrase), "the error mentions '" + phrase + "': " + error);
                    }
                    answered.flag();
                  });
              String templateId =
                  template == null ? null : TemplateId.of(template, client.model.digest(), steps);
              Future<HttpResponse<Buffer>> lookup =
                  templateId == null
                      ? Future.succeededFuture(null)
                      : client.get("/v1/templates/" + templateId);
              Future<HttpResponse<Buffer>> editById =
                  templateId == null
                      ? Future.succeededFuture(null)
                      : client.postJson(
                          "/v1/edits",
                          new JsonObject()
                              .put("template_id", templateId)
                              .put("steps", steps)
                              .put("prompt", "a red circle")
                              .put("mask", TestImages.base64(TestImages.rectMask(0, 0, 4, 4))));
              return Future.all(lookup, editById)
                  .compose(
                      f ->
                          client
                              .metric("instgenie_jobs_unfinished")
                              .map(
                                  unfinished ->
                                      new Object[] {f.resultAt(0), f.resultAt(1), unfinished}));
            })
        .onComplete(
            ctx.succeeding(
                kept ->
                    ctx.verify(
                        () -> {
                          @SuppressWarnings("unchecked")
                          HttpResponse<Buffer> lookup = (HttpResponse<Buffer>) kept[0];
                          @SuppressWarnings("unchecked")
                          HttpResponse<Buffer> editById = (HttpResponse<Buffer>) kept[1];
                          if (lookup != null) {
                            assertEquals(
                                404,
                                lookup.statusCode(),
                                "the rejected request's template is not kept: "
                                    + lookup.bodyAsString());
                            assertTrue(
                                lookup
                                    .bodyAsJsonObject()
                                    .getString("error")
                                    .contains("unknown template id"),
                                lookup.bodyAsString());
                            assertEquals(
                                404,
                                editById.statusCode(),
                                "its pixels are not kept for edits by id: "
                                    + editById.bodyAsString());
                          }
                          assertEquals(
                              0.0,
                              (Double) kept[2],
                              "no job of a rejected request stays in the table");
                          forgotten.flag();
                        })));
  }
}
