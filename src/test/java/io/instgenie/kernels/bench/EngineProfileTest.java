package io.instgenie.kernels.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.backend.TimedBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * bench engine: the timing backend changes no value, profile rows add up, paired Y and K/V rows.
 */
class EngineProfileTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 4);

  private static float[] velocity(DitForward f) {
    float[] x = Noise.gaussian(3, C.imageTokens() * C.patchDim());
    float[] v = new float[C.imageTokens() * C.patchDim()];
    int[] ids = Prompts.encode(C, "a red circle");
    f.run(List.of(Sequence.full(0.4f, ids, x, C.imageTokens(), v, null)), null);
    return v;
  }

  @Test
  @DisplayName("a forward over the timing backend gives the inner backend's values bit for bit")
  void sameValues() {
    assertArrayEquals(
        velocity(new DitForward(MODEL, new CpuBackend())),
        velocity(new DitForward(MODEL, new TimedBackend(new CpuBackend()))));
  }

  @Test
  @DisplayName(
      "profile rows: full, Y and K/V per batch size; linear and attention took time; the kernels'"
          + " times fit inside the step's")
  void rowsAddUp() {
    EngineBench b =
        new EngineBench(new DitForward(MODEL, new TimedBackend(new CpuBackend())), 2, true);
    List<EngineBench.ProfileRow> rows = b.profile(new int[] {1, 2}, 0.2);
    assertEquals(6, rows.size());
    assertEquals(
        List.of("-", "y", "kv", "-", "y", "kv"), rows.stream().map(r -> r.cache()).toList());
    for (EngineBench.ProfileRow r : rows) {
      assertTrue(r.opMs().get(TimedBackend.Op.LINEAR) > 0, "linear timed: " + r);
      assertTrue(r.opMs().get(TimedBackend.Op.ATTENTION) > 0, "attention timed: " + r);
      double kernels = r.opMs().values().stream().mapToDouble(Double::doubleValue).sum();
      assertTrue(kernels <= r.stepMs(), "kernels within the step: " + r);
    }
  }

  @Test
  @DisplayName(
      "with K/V rows every ratio has a Y time, a K/V time and a paired K/V-over-Y ratio; without,"
          + " only Y times")
  void pairedRows() {
    EngineBench.BatchResult kv =
        new EngineBench(new DitForward(MODEL, new CpuBackend()), 3, true)
            .run(new int[] {1})
            .batches()
            .get(0);
    assertEquals(EngineBench.RATIOS.length, kv.kvOverY().size());
    assertEquals(kv.maskedStepMs().keySet(), kv.kvOverY().keySet());
    assertEquals(kv.maskedStepMs().keySet(), kv.kvMaskedStepMs().keySet());
    for (String r : kv.kvOverY().keySet()) {
      double ratio = kv.kvOverY().get(r);
      assertTrue(ratio > 0 && Double.isFinite(ratio), r + ": " + ratio);
      assertTrue(kv.kvMaskedStepMs().get(r) > 0, r);
    }
    EngineBench.BatchResult y =
        new EngineBench(new DitForward(MODEL, new CpuBackend()), 3, false)
            .run(new int[] {1})
            .batches()
            .get(0);
    assertEquals(EngineBench.RATIOS.length, y.maskedStepMs().size());
    assertTrue(y.kvOverY().isEmpty() && y.kvMaskedStepMs().isEmpty());
  }

  @Test
  @DisplayName("profiling without a timing backend says what it needs")
  void needsTimedBackend() {
    EngineBench b = new EngineBench(new DitForward(MODEL, new CpuBackend()), 1, false);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> b.profile(new int[] {1}, 0.2));
    assertTrue(e.getMessage().contains("TimedBackend"), e.getMessage());
  }
}
