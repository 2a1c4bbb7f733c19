package io.instgenie.cache;

import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.cuda.DeviceTimings;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.model.ModelConfig;
import java.util.EnumMap;
import java.util.Map;

/**
 * Algorithm 1's calibration when the CUDA backend was picked: compute per block (Cw, Cf) timed by
 * CUDA events instead of wall time, and Ld's PCIe part, pinned host → device copies of 1 to 4
 * blocks timed on the copy stream. On the GPU path a block crosses PCIe after it is read from its
 * host tier, so each host tier's load line gains the PCIe line ({@link #overPcie}). Steps held in
 * the device tier load nothing.
 */
public final class DeviceCalibration {
  private DeviceCalibration() {}

  /** Compute time per block against FLOPs, each forward timed with CUDA events. */
  public static LinearFit compute(DitForward forward, CudaBackend cuda, int reps) {
    return Calibration.compute(forward, reps, run -> DeviceTimings.eventMs(cuda.device(), run));
  }

  /**
   * Pinned → device copy time against bytes, at 1 to 4 blocks of {@code c}: the pinned cache holds
   * FP32 whatever the stored precision, so a block is L × H × 4 bytes.
   */
  public static LinearFit pcie(CudaBackend cuda, ModelConfig c, int reps) {
    long block = (long) c.imageTokens() * c.hiddenSize() * Float.BYTES;
    long[] bytes = {block, 2 * block, 3 * block, 4 * block};
    double[] ms = DeviceTimings.pinnedCopyMs(cuda.device(), bytes, reps);
    double[] x = new double[bytes.length];
    for (int i = 0; i < x.length; i++) x[i] = bytes[i];
    return LinearFit.ofTimes(x, ms);
  }

  /**
   * Each host tier's load line plus the PCIe line: a + a' + (b + b')·bytes. The host fits are per
   * stored byte and the PCIe fit per FP32 byte, so for stored precisions below FP32 this is an
   * underestimate of the PCIe part by the width ratio (a conservative Ld for BF16/F16 caches).
   */
  public static Map<TierKind, LinearFit> overPcie(Map<TierKind, LinearFit> host, LinearFit pcie) {
    Map<TierKind, LinearFit> out = new EnumMap<>(TierKind.class);
    for (Map.Entry<TierKind, LinearFit> e : host.entrySet()) {
      LinearFit h = e.getValue();
      out.put(
          e.getKey(),
          new LinearFit(
              h.a() + pcie.a(), h.b() + pcie.b(), Math.min(h.r2(), pcie.r2()), h.samples()));
    }
    return out;
  }
}
