package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        String version = ".version " + Ptx.ISA.get(t);
        assertTrue(
            ptx.lines().anyMatch(version::equals),
            m + "." + t + " declares " + version + " (older drivers reject nvcc 13's 9.0)");
        for (String f : CudaKernels.functionsOf(m)) {
          assertTrue(ptx.contains(".entry " + f + "("), m + "." + t + " has entry " + f);
        }
      }
    }
    assertTrue(Ptx.load("gemm", "sm_90").contains("wmma.mma.sync"), "sm_90 GEMM on tensor cores");
  }

  @Test
  @DisplayName("ptxas assembles every module at its declared ISA version (nothing newer is used)")
  void assemblesAtDeclaredIsa() throws Exception {
    Path ptxas = NVCC.resolveSibling("ptxas");
    Assumptions.assumeTrue(Files.isExecutable(ptxas), "no ptxas at " + ptxas + " (skipped)");
    Path dir = Files.createTempDirectory("ptx");
    for (String m : Ptx.MODULES) {
      for (String t : Ptx.TARGETS) {
        Path file = dir.resolve(m + "." + t + ".ptx");
        Files.writeString(file, Ptx.load(m, t));
        String arch = t.equals("sm_90") ? "sm_90" : "sm_75";
        Process p =
            new ProcessBuilder(
                    ptxas.toString(), "-arch=" + arch, "-o", "/dev/null", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), m + "." + t + ": " + out);
        Files.delete(file);
      }
    }
    Files.delete(dir);
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
