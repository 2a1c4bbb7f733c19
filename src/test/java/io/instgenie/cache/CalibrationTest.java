package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only shape and sanity: timings on a shared test machine are not asserted. */
class CalibrationTest {

  @Test
  @DisplayName(
      "calibration yields finite fits for compute and for each tier, and a plan for a batch")
  void calibrates(@TempDir Path dir) {
    DitForward f = new DitForward(DitModel.random(CacheFixtures.C, 1), new CpuBackend());
    StoredActivations acts = CacheFixtures.random(CacheFixtures.shape(4, Precision.F32), 2);
    DiskTier disk = new DiskTier(dir, 1 << 20, null);
    TemplateKey key = new TemplateKey("t", 4);
    disk.put(key, acts);
    try (DiskTemplate file = disk.open(key).orElseThrow()) {
      CostModel m = Calibration.calibrate(f, Map.of(TierKind.MEMORY, acts, TierKind.DISK, file), 3);
      for (LinearFit fit :
          List.of(m.compute(), m.load().get(TierKind.MEMORY), m.load().get(TierKind.DISK))) {
        assertTrue(
            Double.isFinite(fit.a()) && Double.isFinite(fit.b()) && Double.isFinite(fit.r2()),
            fit.toString());
      }
      assertEquals(6, m.compute().samples());
      assertEquals(4, m.load().get(TierKind.DISK).samples());
      Algorithm1.Plan p =
          m.costs(CacheFixtures.C, List.of(new CostModel.Entry(3, 2, TierKind.DISK, Precision.F32)))
              .plan();
      assertEquals(CacheFixtures.C.depth(), p.modes().length);
      assertTrue(p.latency() >= 0);
    }
  }
}
