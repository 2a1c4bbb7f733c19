package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CostModelTest {

  @Test
  @DisplayName(
      "a compute fit that makes a cached block dearer than a full one never makes Algorithm 1 recompute without a stall")
  void costsNeverChargeCacheMoreThanRecompute() {
    ModelConfig c = Presets.bench();
    // a negative slope, as a noisy calibration of a tiny model can give
    CostModel m =
        new CostModel(
            new LinearFit(5, -1e-9, 0.1, 6),
            java.util.Map.of(TierKind.MEMORY, new LinearFit(0, 0, 1, 2)));
    CostModel.Costs k =
        m.costs(c, List.of(new CostModel.Entry(50, 1, TierKind.MEMORY, Precision.F32)));
    for (int b = 0; b < c.depth(); b++) assertEquals(k.cf()[b], k.cw()[b], 0.0, "block " + b);
    assertEquals(
        c.depth(),
        k.plan().cachedBlocks(),
        "loads cost nothing here, so every block uses the cache");
  }

  @Test
  @DisplayName(
      "a K/V entry loads twice the bytes, computes the K/V block's FLOPs, and makes the plan a prefix")
  void kvEntries() {
    ModelConfig c = Presets.bench();
    // 1 ms per GFLOP; disk 1 ms per MB
    CostModel m =
        new CostModel(
            new LinearFit(0, 1e-9, 1, 2),
            java.util.Map.of(TierKind.DISK, new LinearFit(0, 1e-6, 1, 2)));
    CostModel.Entry y = new CostModel.Entry(200, 1, TierKind.DISK, Precision.F32);
    CostModel.Entry kv = new CostModel.Entry(200, 1, TierKind.DISK, Precision.F32, CacheKind.KV);
    assertEquals(2 * CostModel.loadBytes(c, y), CostModel.loadBytes(c, kv));
    CostModel.Costs ky = m.costs(c, List.of(y));
    CostModel.Costs kk = m.costs(c, List.of(kv));
    int q = c.promptTokens() + 200;
    int n = c.sequenceLength();
    assertEquals(FlopModel.block(c, q, n) * 1e-9, ky.cw()[0], 1e-12);
    assertEquals(FlopModel.blockKv(c, q, n) * 1e-9, kk.cw()[0], 1e-12);
    assertEquals(FlopModel.block(c, q, n) * 1e-9, kk.cw1()[0], 1e-12, "first block after a prefix");
    assertEquals(0, kk.ld1()[0], "K/V loads nothing in the first block after a prefix");
    assertEquals(2 * ky.ld()[0], kk.ld()[0], 1e-12);
    assertFalse(ky.prefixOnly());
    assertTrue(kk.prefixOnly());
    BlockMode[] modes = kk.plan().modes();
    for (int b = 1; b < modes.length; b++) {
      assertFalse(
          modes[b] == BlockMode.RECOMPUTE && modes[b - 1] == BlockMode.CACHE,
          "a prefix: " + java.util.Arrays.toString(modes));
    }
  }
}
