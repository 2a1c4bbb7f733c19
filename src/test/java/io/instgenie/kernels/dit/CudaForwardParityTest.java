package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cuda.CudaProbe;
import io.instgenie.kernels.cuda.GemmPrecision;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The full and the masked forward on the GPU against the CPU backend, on models whose weights make
 * attention and the cached rows matter ({@link ParityModels}: std 0.25 tiny, 0.1 bench).
 * Tolerances: FP32 GEMMs max |Δv| ≤ 2e-3·max(1, max |v|) (8 blocks of FP32 with other summation
 * orders; a stale cache moves v 100 times further, ParityModelsTest); BF16 tensor cores, on the
 * default N(0, 0.02²) model, a relative RMS error ≤ 3e-2 (inputs rounded to 8 bits at every linear;
 * at the larger weights BF16's error grows through the blocks). Skipped without a device.
 */
class CudaForwardParityTest {
  private static final double BF16_REL_RMS = 3e-2;

  @BeforeEach
  void device() {
    Assumptions.assumeTrue(CudaProbe.get().available(), CudaProbe.get() + " (GPU tests skipped)");
  }

  private static ModelConfig preset(String name) {
    return Presets.byName(name);
  }

  private static float[] full(
      DitModel m, Backend be, float t, int[] ids, float[] x, BlockSink rec) {
    int l = m.config().imageTokens();
    float[] v = new float[l * m.config().patchDim()];
    new DitForward(m, be).run(List.of(Sequence.full(t, ids, x, l, v, rec)), null);
    return v;
  }

  private static double maxAbs(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }

  private static double relRms(float[] expected, float[] got) {
    double num = 0, den = 0;
    for (int i = 0; i < expected.length; i++) {
      num += (expected[i] - got[i]) * (double) (expected[i] - got[i]);
      den += expected[i] * (double) expected[i];
    }
    return Math.sqrt(num / Math.max(den, 1e-30));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "bench"})
  @DisplayName("the full forward on the GPU (FP32 and BF16 GEMMs) matches the CPU backend")
  void fullForward(String name) {
    ModelConfig c = preset(name);
    DitModel m = ParityModels.of(name, 7);
    float[] x = Noise.gaussian(1, c.imageTokens() * c.patchDim());
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    float[] cpu = full(m, ParityModels.cpu(), 0.7f, ids, x, null);
    try (CudaBackend gpu = CudaBackend.open(GemmPrecision.FP32)) {
      float[] fp32 = full(m, gpu, 0.7f, ids, x, null);
      double d = maxAbs(cpu, fp32);
      double tol = ParityModels.fp32Tolerance(cpu);
      assertTrue(d <= tol, name + " FP32: max abs diff " + d + " > " + tol);
    }
    DitModel small = DitModel.random(c, 7);
    float[] cpuSmall = full(small, ParityModels.cpu(), 0.7f, ids, x, null);
    try (CudaBackend gpu = CudaBackend.open(GemmPrecision.BF16)) {
      float[] bf16 = full(small, gpu, 0.7f, ids, x, null);
      double r = relRms(cpuSmall, bf16);
      assertTrue(r <= BF16_REL_RMS, name + " " + gpu.name() + ": relative RMS error " + r);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "bench"})
  @DisplayName(
      "the masked forward on the GPU, fed a GPU template run's cache, matches the CPU in every block-mode mix, batched")
  void maskedForward(String name) {
    ModelConfig c = preset(name);
    DitModel m = ParityModels.of(name, 7);
    int l = c.imageTokens();
    int pd = c.patchDim();
    float[] x = Noise.gaussian(3, l * pd);
    int[] nullIds = Prompts.nullPrompt(c);
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    float t = 0.55f;
    // the same template run recorded by each backend, so the caches agree to FP32 rounding
    MemoryActivations cpuActs = new MemoryActivations(c, 1);
    MemoryActivations gpuActs = new MemoryActivations(c, 1);
    CudaBackend gpu = CudaBackend.open(GemmPrecision.FP32);
    full(m, ParityModels.cpu(), t, nullIds, x, cpuActs.sink(0));
    full(m, gpu, t, nullIds, x, gpuActs.sink(0));
    java.util.Random rnd = new java.util.Random(5);
    int[] a1 = io.instgenie.kernels.bench.EngineBench.randomTokens(rnd, Math.max(1, l / 5), l);
    int[] a2 = io.instgenie.kernels.bench.EngineBench.randomTokens(rnd, Math.max(1, l / 10), l);
    BlockMode[] cache = new BlockMode[c.depth()];
    Arrays.fill(cache, BlockMode.CACHE);
    BlockMode[] mixed = cache.clone();
    mixed[0] = BlockMode.RECOMPUTE;
    mixed[c.depth() - 1] = BlockMode.RECOMPUTE;
    for (BlockMode[] plan : new BlockMode[][] {cache, mixed}) {
      List<float[]> want = run(m, ParityModels.cpu(), plan, t, ids, x, l, pd, cpuActs, a1, a2);
      List<float[]> got = run(m, gpu, plan, t, ids, x, l, pd, gpuActs, a1, a2);
      for (int i = 0; i < want.size(); i++) {
        double d = maxAbs(want.get(i), got.get(i));
        double tol = ParityModels.fp32Tolerance(want.get(i));
        assertTrue(
            d <= tol,
            name
                + " "
                + Arrays.toString(plan)
                + " sequence "
                + i
                + ": max abs diff "
                + d
                + " > "
                + tol);
      }
    }
    gpu.close();
  }

  /** A batch of two masked sequences and one full sequence. */
  private static List<float[]> run(
      DitModel m,
      Backend be,
      BlockMode[] plan,
      float t,
      int[] ids,
      float[] x,
      int l,
      int pd,
      MemoryActivations acts,
      int[] a1,
      int[] a2) {
    List<float[]> out = new ArrayList<>();
    List<Sequence> seqs = new ArrayList<>();
    for (int[] a : new int[][] {a1, a2}) {
      float[] v = new float[a.length * pd];
      out.add(v);
      seqs.add(Sequence.masked(t, ids, x, a, l, acts.source(0), v));
    }
    float[] v = new float[l * pd];
    out.add(v);
    seqs.add(Sequence.full(0.3f, ids, x, l, v, null));
    new DitForward(m, be).run(seqs, plan);
    return out;
  }
}
