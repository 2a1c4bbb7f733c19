package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The build's PTX: present for every module and target when nvcc was there at build time. */
class CudaPtxResourcesTest {
  private static final Path NVCC = Path.of("/usr/local/cuda/bin/nvcc");

  @Test
  @DisplayName("every kernel is in the PTX of both targets (built with nvcc)")
  void everyKernelInEveryTarget() {
    Assumptions.assumeTrue(
        Files.isExecutable(NVCC), "no nvcc at " + NVCC + ": the build has no PTX (skipped)");
    assertTrue(Ptx.present(), "PTX resources under " + Ptx.DIR);
    for (String m : Ptx.MODULES) {
      for (String t : Ptx.TARGETS) {
        String ptx = Ptx.load(m, t);
        assertNotNull(ptx);
        String target = t.equals("sm_90") ? ".target sm_90" : ".target sm_75";
        assertTrue(ptx.contains(target), m + "." + t + " declares " + target);
        for (String f : CudaKernels.functionsOf(m)) {
          assertTrue(ptx.contains(".entry " + f + "("), m + "." + t + " has entry " + f);
        }
      }
    }
    assertTrue(Ptx.load("gemm", "sm_90").contains("wmma.mma.sync"), "sm_90 GEMM on tensor cores");
  }

  @Test
  @DisplayName("a missing module names the resource and says the build had no nvcc")
  void missingModule() {
    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> Ptx.load("nonexistent", "sm_90"));
    assertTrue(e.getMessage().contains("no PTX in this build"), e.getMessage());
  }
}
