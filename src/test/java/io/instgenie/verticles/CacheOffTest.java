package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The full-recompute switch ({@code cache=off}): no template run, no cache lookup, the engine's
 * full edit.
 */
@ExtendWith(VertxExtension.class)
class CacheOffTest {
  @Test
  @DisplayName(
      "With cache=off an edit recomputes every token: byte for byte the engine's full-recompute edit, and no template lookups")
  void fullRecompute(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint();
    ServiceConfig base = ServiceClient.config();
    Map<String, String> keys = new HashMap<>();
    keys.put("host", base.host());
    keys.put("port", "0");
    keys.put("cache", "off");
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    RgbImage template = TestImages.template(515);
    RgbImage mask = TestImages.rectMask(2, 4, 9, 6);
    ServiceClient.start(vertx, config)
        .compose(
            client ->
                client
                    .submit(ServiceClient.editForm(template, mask, "a green ring", 5, 77L))
                    .compose(client::awaitFinished)
                    .compose(status -> client.get(status.getString("image_url")))
                    .compose(
                        png ->
                            client
                                .metric("instgenie_template_cache_misses_total")
                                .compose(
                                    misses ->
                                        client
                                            .metric("instgenie_template_cache_hits_total")
                                            .map(hits -> new double[] {misses, hits}))
                                .map(
                                    lookups -> {
                                      ctx.verify(
                                          () -> {
                                            EditRequest req =
                                                new EditRequest(
                                                    template,
                                                    Images.decodeMask(
                                                        TestImages.pngBytes(mask), "mask"),
                                                    "a green ring",
                                                    5,
                                                    77L,
                                                    null);
                                            byte[] expected =
                                                new EditEngine(client.model, new CpuBackend(), 1)
                                                    .edit(req, false, StepListener.NONE)
                                                    .rgb();
                                            RgbImage got =
                                                Images.decode(png.body().getBytes(), "result");
                                            assertArrayEquals(expected, got.pixels());
                                            assertEquals(0.0, lookups[0], "no cache misses");
                                            assertEquals(0.0, lookups[1], "no cache hits");
                                          });
                                      return lookups;
                                    })))
        .onComplete(ctx.succeeding(v -> done.flag()));
  }
}
