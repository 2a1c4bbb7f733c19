package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each branch of the probe, without needing a device. */
class CudaProbeTest {

  @Test
  @DisplayName("-Dinstgenie.cuda=off disables the GPU path without touching the driver")
  void off() {
    CudaProbe p = CudaProbe.run("off", true);
    assertFalse(p.available());
    assertTrue(p.reason().contains("disabled"), p.reason());
  }

  @Test
  @DisplayName("no driver, or no PTX in the build, is reported as a reason, never thrown")
  void reasons() {
    CudaProbe withPtx = CudaProbe.run("auto", true);
    CudaProbe withoutPtx = CudaProbe.run("auto", false);
    if (!withPtx.available()) {
      assertTrue(
          withPtx.reason().startsWith("CUDA driver unavailable")
              || withPtx.reason().startsWith("no CUDA device"),
          withPtx.reason());
    }
    assertFalse(withoutPtx.available(), "never available without PTX");
  }

  @Test
  @DisplayName("the PTX target follows the compute capability: sm_90 for 9.0+, compute_75 below")
  void targets() {
    assertEquals("sm_90", Ptx.targetFor(9, 0));
    assertEquals("sm_90", Ptx.targetFor(10, 0));
    assertEquals("compute_75", Ptx.targetFor(8, 0));
    assertEquals("compute_75", Ptx.targetFor(7, 5));
    assertThrows(IllegalStateException.class, () -> Ptx.targetFor(7, 0));
  }

  @Test
  @DisplayName("the bf16 peak table knows the lent GPUs")
  void peaks() {
    assertEquals(989, CudaBench.bf16PeakTflops("NVIDIA H100 80GB HBM3"));
    assertEquals(989, CudaBench.bf16PeakTflops("NVIDIA H200"));
    assertEquals(756, CudaBench.bf16PeakTflops("NVIDIA H100 PCIe"));
    assertEquals(0, CudaBench.bf16PeakTflops("something else"));
  }

  @Test
  @DisplayName("without the sm_90 PTX (cc 8.x and older) the GEMM bench has only an FP32 row")
  void benchRowsAreWhatRuns() {
    assertEquals(java.util.List.of(GemmPrecision.FP32), CudaBench.measured(false));
    assertEquals(
        java.util.List.of(GemmPrecision.FP32, GemmPrecision.TF32, GemmPrecision.BF16),
        CudaBench.measured(true));
    assertEquals(GemmPrecision.FP32, GemmPrecision.BF16.on(false), "BF16 runs the FP32 body");
    assertEquals(GemmPrecision.TF32, GemmPrecision.TF32.on(true));
  }
}
