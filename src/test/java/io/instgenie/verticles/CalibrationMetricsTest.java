package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The start-up calibration and Algorithm 1's live choices in /metrics, with a disk tier. */
@ExtendWith(VertxExtension.class)
class CalibrationMetricsTest {
  private static final int STEPS = 4;

  @Test
  @DisplayName(
      "/metrics reports every start-up fit (compute, load_memory, load_disk) with a finite R², and counts the block modes of an edit read from disk")
  void fitsAndBlockModes(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    Checkpoint done = ctx.checkpoint();
    Map<String, String> keys = new HashMap<>();
    keys.put("host", ServiceClient.HOST);
    keys.put("port", "0");
    keys.put("cache_dir", dir.toString());
    keys.put("cache_memory_bytes", "0"); // templates live on disk only
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    RgbImage template = TestImages.template(321);
    RgbImage mask = TestImages.rectMask(0, 0, 6, 6);
    ServiceClient.start(vertx, config)
        .compose(
            client ->
                edit(client, template, mask, 1L)
                    // the template run's file is written in the background: wait for it
                    .compose(v -> vertx.executeBlocking(() -> flush(client)))
                    .compose(v -> edit(client, template, mask, 2L))
                    .compose(v -> client.get("/metrics"))
                    .map(
                        r -> {
                          ctx.verify(() -> check(r.bodyAsString(), client));
                          return r;
                        }))
        .onComplete(ctx.succeeding(v -> done.flag()));
  }

  private static Void flush(ServiceClient client) {
    client.service.caches().get(0).flush();
    return null;
  }

  private static Future<Void> edit(ServiceClient client, RgbImage t, RgbImage mask, long seed) {
    return client
        .submit(ServiceClient.editForm(t, mask, "a red circle", STEPS, seed))
        .compose(client::awaitFinished)
        .map(
            s -> {
              assertEquals("completed", s.getString("status"), s.encode());
              return null;
            });
  }

  private static void check(String metrics, ServiceClient client) {
    for (String fit : new String[] {"compute", "load_memory", "load_disk"}) {
      double r2 = sample(metrics, "instgenie_calibration_r2", "fit=\"" + fit + "\"");
      assertTrue(Double.isFinite(r2), fit + " R² is " + r2);
      assertTrue(
          Double.isFinite(sample(metrics, "instgenie_calibration_slope_ms", "fit=\"" + fit + "\"")),
          fit + " slope");
      assertTrue(
          Double.isFinite(
              sample(metrics, "instgenie_calibration_intercept_ms", "fit=\"" + fit + "\"")),
          fit + " intercept");
    }
    int depth = client.model.config().depth();
    // the first edit read its fresh template run in memory, the second the disk file
    assertEquals(
        STEPS * depth,
        blocks(metrics, "memory", "cache") + blocks(metrics, "memory", "recompute"),
        metrics);
    assertEquals(
        STEPS * depth,
        blocks(metrics, "disk", "cache") + blocks(metrics, "disk", "recompute"),
        metrics);
    assertEquals(0, blocks(metrics, "memory", "recompute"), "from memory nothing is recomputed");
    assertTrue(sample(metrics, "instgenie_cache_bubble_seconds_total", "worker=\"0\"") >= 0);
    assertEquals(1.0, sample(metrics, "instgenie_cache_disk_available", "worker=\"0\""), metrics);
  }

  private static double blocks(String metrics, String tier, String mode) {
    return sample(
        metrics, "instgenie_step_blocks_total", "mode=\"" + mode + "\"", "tier=\"" + tier + "\"");
  }

  /** The value of the first sample of {@code name} whose labels include every one given. */
  private static double sample(String metrics, String name, String... labels) {
    OptionalDouble v =
        metrics
            .lines()
            .filter(l -> l.startsWith(name + "{"))
            .filter(
                l -> {
                  for (String label : labels) if (!l.contains(label)) return false;
                  return true;
                })
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .findFirst();
    assertTrue(v.isPresent(), "/metrics has no " + name + " with " + String.join(",", labels));
    return v.getAsDouble();
  }
}
