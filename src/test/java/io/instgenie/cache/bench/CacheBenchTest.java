package io.instgenie.cache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.Presets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench cache on the tiny preset: every row measured, runs of consecutive steps validated. */
class CacheBenchTest {
  private static final DitForward FORWARD =
      new DitForward(DitModel.random(Presets.tiny(), 0), new CpuBackend());

  private static CacheBench.Options options(Path dir, CacheKind kind, int runSteps) {
    return new CacheBench.Options(
        2,
        new int[] {1},
        new double[] {0.2, 0.4},
        Set.of(TierKind.MEMORY, TierKind.DISK),
        2,
        Precision.F32,
        dir,
        false,
        0,
        kind,
        runSteps);
  }

  @Test
  @DisplayName(
      "Y and K/V, runs of 3 steps: each tier and ratio has five positive timings and a plan")
  void rows(@TempDir Path dir) {
    for (CacheKind kind : CacheKind.values()) {
      CacheBench.Result r =
          new CacheBench(FORWARD, options(dir.resolve(kind.name()), kind, 3)).run();
      assertEquals(3, r.runSteps());
      assertEquals(kind, r.kind());
      for (TierKind tier : Set.of(TierKind.MEMORY, TierKind.DISK)) {
        var rows = r.batches().get(0).tiers().get(tier);
        assertEquals(Set.of("0.2", "0.4"), rows.keySet(), kind + " " + tier);
        for (CacheBench.Row row : rows.values()) {
          for (double ms :
              new double[] {
                row.naiveMs(), row.pipelineMs(), row.alg1Ms(), row.computeOnlyMs(), row.loadOnlyMs()
              }) {
            assertTrue(ms > 0 && Double.isFinite(ms), kind + " " + tier + ": " + row);
          }
          assertEquals(Presets.tiny().depth(), row.plan().length(), row.plan());
          assertTrue(row.plan().matches("[CR]+"), row.plan());
        }
      }
    }
  }

  @Test
  @DisplayName("a run as long as the model's steps is refused with the limit in the message")
  void runTooLong(@TempDir Path dir) {
    int steps = Presets.tiny().defaultSteps();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CacheBench(FORWARD, options(dir, CacheKind.Y, steps)));
    assertTrue(e.getMessage().contains("below the model's " + steps), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> options(dir, CacheKind.Y, 0));
  }

  @Test
  @DisplayName(
      "the runs' starts: past a run and the step after it where the starts allow, and every start"
          + " comes round")
  void stride() {
    assertEquals(6, CacheBench.stride(17, 4), "20 steps, runs of 4: 17 starts");
    assertEquals(3, CacheBench.stride(20, 1), "single steps, as before the runs");
    assertEquals(1, CacheBench.stride(3, 2), "too few starts to skip any");
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0, k = 0; i < 17; i++, k = (k + 6) % 17) seen.add(k);
    assertEquals(17, seen.size());
  }
}
