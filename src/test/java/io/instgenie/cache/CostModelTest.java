package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
