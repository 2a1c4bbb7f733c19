package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/model} and the editing page's files, served from the classpath. */
class ModelAndPageTest extends SharedService {
  private static final String WEB = "io/instgenie/web/";

  @Test
  @DisplayName(
      "GET /v1/model answers the served model's size, vocabulary, prompt length, defaults and digest")
  void modelFacts(VertxTestContext ctx) {
    client
        .get("/v1/model")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, r.statusCode(), r.bodyAsString());
                          assertTrue(
                              r.getHeader("Content-Type").startsWith("application/json"),
                              r.getHeader("Content-Type"));
                          JsonObject m = r.bodyAsJsonObject();
                          var tiny = TestImages.TINY;
                          assertEquals(tiny.imageSize(), m.getInteger("image_size"));
                          assertEquals(tiny.patchSize(), m.getInteger("patch_size"));
                          assertEquals(tiny.imageTokens(), m.getInteger("image_tokens"));
                          assertEquals(tiny.channels(), m.getInteger("channels"));
                          assertEquals(tiny.promptTokens(), m.getInteger("prompt_tokens"));
                          assertEquals(tiny.defaultSteps(), m.getInteger("default_steps"));
                          assertEquals(tiny.defaultGuidance(), m.getFloat("default_guidance"), 0f);
                          assertEquals(client.model.digest(), m.getString("digest"));
                          assertEquals(tiny.format(), m.getString("format"));
                          // every word a prompt may use, without the <null> padding token
                          assertEquals(
                              new JsonArray(tiny.vocab().subList(1, tiny.vocab().size())),
                              m.getJsonArray("vocabulary"));
                          assertFalse(m.getJsonArray("vocabulary").contains("<null>"));
                          assertEquals(
                              ServiceClient.config().maxBodyBytes(), m.getLong("max_body_bytes"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @DisplayName("GET / serves the page, its modules and the bundled example from the classpath")
  void pageFromTheClasspath(VertxTestContext ctx) {
    List<String> files =
        List.of(
            "/",
            "/app.js",
            "/api.js",
            "/mask-editor.js",
            "/prompt.js",
            "/history.js",
            "/style.css",
            "/examples/examples.json",
            "/examples/template.png",
            "/examples/mask.png");
    List<String> types =
        List.of(
            "text/html",
            "text/javascript",
            "text/javascript",
            "text/javascript",
            "text/javascript",
            "text/javascript",
            "text/css",
            "application/json",
            "image/png",
            "image/png");
    Future.all(files.stream().map(client::get).toList())
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < files.size(); i++) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertEquals(200, r.statusCode(), files.get(i));
                            String type = r.getHeader("Content-Type");
                            assertNotNull(type, files.get(i) + " has no Content-Type");
                            // modules must be served as JavaScript or the browser refuses them
                            assertTrue(
                                type.startsWith(types.get(i))
                                    || (types.get(i).equals("text/javascript")
                                        && type.startsWith("application/javascript")),
                                files.get(i) + " is served as " + type);
                          }
                          String html = all.<HttpResponse<Buffer>>resultAt(0).bodyAsString();
                          assertTrue(
                              html.contains("<script type=\"module\" src=\"app.js\">"), html);
                          ctx.completeNow();
                        })));
  }

  @Test
  @DisplayName("an unknown path still answers a JSON 404 after the page's files are looked up")
  void unknownPathIsJson404(VertxTestContext ctx) {
    client
        .get("/no/such/file.js")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(404, r.statusCode());
                          assertTrue(
                              r.bodyAsJsonObject().getString("error").contains("no route"),
                              r.bodyAsString());
                          ctx.completeNow();
                        })));
  }

  @Test
  @DisplayName(
      "a path with bad percent-encoding answers a JSON 400, and a dot-segment id a JSON 404, not a"
          + " 405 that allows the very method used")
  void oddPathsAreJson() throws Exception {
    for (String path : List.of("/v1/edits/%ZZ", "/v1/edits/x/events?cancel_on_close=%ZZ")) {
      HttpResponse<Buffer> r = FaultInjectionTest.await(client.get(path));
      assertEquals(400, r.statusCode(), path + ": " + r.bodyAsString());
      assertTrue(
          r.getHeader("Content-Type").startsWith("application/json"),
          path + " answers JSON: " + r.bodyAsString());
      assertNotNull(r.bodyAsJsonObject().getString("error"), path);
    }
    HttpResponse<Buffer> dots = FaultInjectionTest.await(client.get("/v1/edits/%2e%2e/image"));
    assertEquals(404, dots.statusCode(), dots.bodyAsString());
    assertTrue(
        dots.bodyAsJsonObject().getString("error").contains("no route"), dots.bodyAsString());
  }

  @Test
  @DisplayName(
      "a request line or headers past the server's limits get 414 or 431 with a JSON error, not an"
          + " empty body")
  void oversizedRequestsAreJson() throws Exception {
    HttpResponse<Buffer> line =
        FaultInjectionTest.await(client.get("/v1/edits/" + "a".repeat(70_000)));
    ErrorReplies.assertError(line, 414, "request line");
    HttpResponse<Buffer> headers =
        FaultInjectionTest.await(
            client
                .web
                .get(client.port(), ServiceClient.HOST, "/v1/model")
                .putHeader("X-Big", "b".repeat(20_000))
                .send());
    ErrorReplies.assertError(headers, 431, "headers");
    // the server closes these connections: a client told so does not reuse them (the next test's
    // request on a pooled, closed connection failed with HttpClosedException)
    assertEquals("close", line.getHeader("Connection"));
    assertEquals("close", headers.getHeader("Connection"));
  }

  @Test
  @DisplayName(
      "the page's bundled example is the repository's examples/ (copy them after make-examples)")
  void bundledExampleIsTheRepositoryExample() throws IOException {
    for (String name : List.of("template.png", "mask.png")) {
      Path repo = Path.of("examples", name);
      byte[] bundled;
      try (InputStream in =
          getClass().getClassLoader().getResourceAsStream(WEB + "examples/" + name)) {
        assertNotNull(in, "the jar holds no " + WEB + "examples/" + name);
        bundled = in.readAllBytes();
      }
      assertArrayEquals(
          Files.readAllBytes(repo),
          bundled,
          "verticles/src/main/resources/"
              + WEB
              + "examples/"
              + name
              + " differs from "
              + repo
              + ": run `cp examples/*.png verticles/src/main/resources/"
              + WEB
              + "examples/`");
    }
  }
}
