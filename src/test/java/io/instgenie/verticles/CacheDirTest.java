package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cache_dir the service cannot use stops it at start instead of running without the tier. */
class CacheDirTest {
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
