package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What one request may cost: steps above {@code max_steps} (default 200), guidance out of range and
 * a template run whose activations exceed {@code max_template_run_bytes} get 400 naming the limit,
 * and nothing of them is kept.
 */
class LimitsTest {
  /** Bytes one step of the tiny model's template run caches: depth × tokens × hidden × 4. */
  private static final long STEP_BYTES =
      (long) TestImages.TINY.depth()
          * TestImages.TINY.imageTokens()
          * TestImages.TINY.hiddenSize()
          * 4;

  private static final int MAX_RUN_STEPS = 150;
  private static Vertx vertx;
  private static ServiceClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // max_steps stays at its default (200); template runs may cache MAX_RUN_STEPS steps
    ServiceConfig c =
        ServiceClient.config(
            Map.of(
                "max_steps",
                "200",
                "max_template_run_bytes",
                String.valueOf(MAX_RUN_STEPS * STEP_BYTES)));
    assertEquals(200, ServiceConfig.defaults().maxSteps(), "the default max_steps");
    client = await(ServiceClient.start(vertx, c));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static JsonObject refused(JsonObject body) throws Exception {
    HttpResponse<Buffer> r = await(client.postJson("/v1/edits", body));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject edit(int steps) {
    return ServiceClient.editJson(
        FaultInjectionTest.newTemplate(),
        TestImages.rectMask(2, 2, 5, 5),
        "a red circle",
        steps,
        1L);
  }

  @Test
  @DisplayName("steps=100000 and steps=201 get 400 naming max_steps; nothing is admitted")
  void stepsOverMax() throws Exception {
    for (int steps : new int[] {100_000, 201}) {
      String error = refused(edit(steps)).getString("error");
      assertTrue(
          error.contains("max_steps")
              && error.contains("at most 200")
              && error.contains("" + steps),
          error);
    }
    assertEquals(0.0, await(client.metric("instgenie_jobs_unfinished")), "no job was registered");
  }

  @Test
  @DisplayName("guidance above 30 or below 0 gets 400 naming the range")
  void guidanceOutOfRange() throws Exception {
    for (double g : new double[] {31, -1}) {
      String error = refused(edit(4).put("guidance", g)).getString("error");
      assertTrue(error.contains("guidance must be between 0.0 and 30.0"), error);
    }
  }

  @Test
  @DisplayName(
      "a template run that would cache more than max_template_run_bytes gets 400 saying how many"
          + " steps fit; one step fewer than that is accepted and completes")
  void templateRunTooLarge() throws Exception {
    String error = refused(edit(MAX_RUN_STEPS + 1)).getString("error");
    assertTrue(
        error.contains("max_template_run_bytes")
            && error.contains("at most " + MAX_RUN_STEPS + " steps"),
        error);
    HttpResponse<Buffer> ok = await(client.postJson("/v1/edits", edit(MAX_RUN_STEPS)));
    assertEquals(202, ok.statusCode(), ok.bodyAsString());
    JsonObject end = await(client.awaitFinished(ok.bodyAsJsonObject().getString("id")));
    assertEquals("completed", end.getString("status"), end.encode());
  }

  /** A {@code steps}-step edit of the tiny model, prepared as admission prepares it. */
  private static PreparedEdit prepared(int steps) {
    int n = TestImages.SIZE;
    byte[] mask = new byte[n * n];
    for (int y = 2; y < 7; y++) for (int x = 2; x < 7; x++) mask[y * n + x] = (byte) 255;
    EditRequest r =
        new EditRequest(
            new RgbImage(n, n, new byte[n * n * 3]),
            new MaskImage(n, n, mask),
            "a red circle",
            steps,
            1L,
            null);
    return PreparedEdit.of(r, TestImages.TINY, "digest", 1L);
  }

  @Test
  @DisplayName(
      "max_template_run_bytes counts what the run records: keys and values (twice the bytes) with"
          + " cache_mode kv, and with auto where the worker's memory share makes it choose K/V")
  void templateRunBytesByCacheMode() {
    long limit = MAX_RUN_STEPS * STEP_BYTES;
    Map<String, String> kv = Map.of("max_template_run_bytes", "" + limit, "cache_mode", "kv");
    EditLimits limits = EditLimits.of(TestImages.TINY, ServiceClient.config(kv));
    limits.check(prepared(MAX_RUN_STEPS / 2));
    String error =
        assertThrows(ServiceException.class, () -> limits.check(prepared(MAX_RUN_STEPS / 2 + 1)))
            .getMessage();
    assertTrue(
        error.contains("bytes of keys and values")
            && error.contains("at most " + MAX_RUN_STEPS / 2 + " steps"),
        error);
    // auto: K/V while the worker's share holds four such runs, which a large share does ...
    EditLimits auto = autoLimits(limit, 16 * limit);
    assertThrows(ServiceException.class, () -> auto.check(prepared(MAX_RUN_STEPS / 2 + 1)));
    // ... and Y where it does not: the run records block outputs, and the full limit applies
    autoLimits(limit, limit).check(prepared(MAX_RUN_STEPS));
  }

  /** The limits of one worker with {@code cache_mode} auto and this much cache memory. */
  private static EditLimits autoLimits(long maxRunBytes, long memoryBytes) {
    Map<String, String> auto =
        Map.of(
            "max_template_run_bytes",
            "" + maxRunBytes,
            "cache_mode",
            "auto",
            "workers",
            "1",
            "cache_memory_bytes",
            "" + memoryBytes);
    return EditLimits.of(TestImages.TINY, ServiceClient.config(auto));
  }
}
