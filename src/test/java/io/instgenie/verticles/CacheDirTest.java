package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk tier across service starts: a cache_dir the service cannot use stops the start, and a
 * restart keeps activations but not template images.
 */
class CacheDirTest {
  @Test
  @DisplayName(
      "a pre-warm answers once its activations are on disk; after a restart on the same cache_dir"
          + " a template id is 404 until its image is sent again (images are not kept), and that"
          + " upload finds its activations on disk")
  void restartKeepsActivationsNotImages(@TempDir Path dir) throws Exception {
    ServiceConfig c = ServiceClient.config(Map.of("cache_dir", dir.resolve("cache").toString()));
    RgbImage t = TestImages.template(8201);
    MultipartForm upload = ServiceClient.editForm(t, null, null, 4, null);
    String id;
    Vertx first = Vertx.vertx();
    try {
      ServiceClient client = await(ServiceClient.start(first, c));
      HttpResponse<Buffer> put = await(client.putForm("/v1/templates", upload));
      assertEquals(200, put.statusCode(), put.bodyAsString());
      id = put.bodyAsJsonObject().getString("template_id");
      // ready means durable: the file is complete when the answer comes, no wait for it
      try (var files = Files.walk(dir)) {
        assertEquals(
            1,
            files.filter(f -> f.getFileName().toString().endsWith(".igc")).count(),
            "the disk tier's file is written before the PUT answers");
      }
      assertTrue(tiers(client, id).contains("disk"), "stored on disk before the restart");
    } finally {
      await(first.close());
    }
    Vertx second = Vertx.vertx();
    try {
      ServiceClient client = await(ServiceClient.start(second, c));
      ErrorReplies.assertError(
          await(client.get("/v1/templates/" + id)), 404, "not kept across restarts");
      HttpResponse<Buffer> again = await(client.putForm("/v1/templates", upload));
      assertEquals(200, again.statusCode(), again.bodyAsString());
      assertEquals(id, again.bodyAsJsonObject().getString("template_id"));
      assertTrue(tiers(client, id).contains("disk"), "its activations came from disk");
      assertEquals(
          1.0, await(client.metric("instgenie_template_cache_hits_total")), "found, not run again");
    } finally {
      await(second.close());
    }
  }

  /** The tiers GET /v1/templates/{id} names, once its status is ready (up to 10 s). */
  private static List<Object> tiers(ServiceClient client, String id) throws Exception {
    JsonObject s = null;
    for (int i = 0; i < 200; i++) {
      s = await(client.get("/v1/templates/" + id)).bodyAsJsonObject();
      if ("ready".equals(s.getString("status")) && s.getJsonArray("tiers").contains("disk")) break;
      Thread.sleep(50);
    }
    return s.getJsonArray("tiers").getList();
  }

  @Test
  @DisplayName(
      "cache_dir naming a file: the start fails with an IllegalArgumentException naming cache_dir"
          + " and why (serve turns it into one line and exit 2)")
  void unusableCacheDirRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
    Vertx vertx = Vertx.vertx();
    try {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  InstGenieService.start(
                          vertx,
                          ServiceClient.config(Map.of("cache_dir", file.toString())),
                          TestImages.model())
                      .toCompletionStage()
                      .toCompletableFuture()
                      .get(60, TimeUnit.SECONDS));
      IllegalArgumentException cause =
          assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertTrue(cause.getMessage().startsWith("cache_dir cannot be used"), cause.getMessage());
      assertTrue(cause.getMessage().contains("Not a directory"), cause.getMessage());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
