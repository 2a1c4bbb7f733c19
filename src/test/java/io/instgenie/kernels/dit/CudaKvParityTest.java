package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
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
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cache K/V on the GPU: a GPU template run records K/V (read back from the device's q|k|v rows),
 * and the GPU masked forward takes them (gathered on the host, announced with hostWrote) in a batch
 * with a Y-cache sequence, against the same on the CPU. Tolerance as CudaForwardParityTest's FP32:
 * 1e-3 max abs on the velocity. Skipped without a device.
 */
class CudaKvParityTest {
  private static final double FP32_MAX_ABS = 1e-3;

  @BeforeEach
  void device() {
    Assumptions.assumeTrue(CudaProbe.get().available(), CudaProbe.get() + " (GPU tests skipped)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "bench"})
  @DisplayName(
      "the K/V masked forward on the GPU, fed a GPU template run's K/V, matches the CPU, with and without a recompute prefix, batched with a Y-cache sequence")
  void kvMaskedForward(String name) {
    ModelConfig c = Presets.byName(name);
    DitModel m = DitModel.random(c, 7);
    int l = c.imageTokens();
    int pd = c.patchDim();
    float[] x = Noise.gaussian(3, l * pd);
    int[] nullIds = Prompts.nullPrompt(c);
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    float t = 0.55f;
    Backend gpu = CudaBackend.open(GemmPrecision.FP32);
    MemoryActivations[] cpuActs = record(m, new CpuBackend(), t, nullIds, x);
    MemoryActivations[] gpuActs = record(m, gpu, t, nullIds, x);
    Random rnd = new Random(5);
    int[] a1 = EngineBench.randomTokens(rnd, Math.max(1, l / 5), l);
    int[] a2 = EngineBench.randomTokens(rnd, Math.max(1, l / 10), l);
    BlockMode[] cache = new BlockMode[c.depth()];
    Arrays.fill(cache, BlockMode.CACHE);
    BlockMode[] prefix = cache.clone();
    prefix[0] = BlockMode.RECOMPUTE;
    for (BlockMode[] plan : new BlockMode[][] {cache, prefix}) {
      List<float[]> want = run(m, new CpuBackend(), plan, t, ids, x, cpuActs, a1, a2);
      List<float[]> got = run(m, gpu, plan, t, ids, x, gpuActs, a1, a2);
      for (int i = 0; i < want.size(); i++) {
        double d = 0;
        for (int j = 0; j < want.get(i).length; j++)
          d = Math.max(d, Math.abs(want.get(i)[j] - got.get(i)[j]));
        assertTrue(
            d <= FP32_MAX_ABS,
            name + " " + Arrays.toString(plan) + " sequence " + i + ": max abs diff " + d);
      }
    }
  }

  /** One template run recorded as Y and as K/V. */
  private static MemoryActivations[] record(DitModel m, Backend be, float t, int[] ids, float[] x) {
    ModelConfig c = m.config();
    MemoryActivations y = new MemoryActivations(c, 1, CacheKind.Y);
    MemoryActivations kv = new MemoryActivations(c, 1, CacheKind.KV);
    DitForward f = new DitForward(m, be);
    f.run(List.of(Sequence.full(t, ids, x, c.imageTokens(), null, y.sink(0))), null);
    f.run(List.of(Sequence.full(t, ids, x, c.imageTokens(), null, kv.sink(0))), null);
    return new MemoryActivations[] {y, kv};
  }

  /** A K/V-cache sequence and a Y-cache sequence in one batch. */
  private static List<float[]> run(
      DitModel m,
      Backend be,
      BlockMode[] plan,
      float t,
      int[] ids,
      float[] x,
      MemoryActivations[] acts,
      int[] a1,
      int[] a2) {
    int l = m.config().imageTokens();
    int pd = m.config().patchDim();
    float[] v1 = new float[a1.length * pd];
    float[] v2 = new float[a2.length * pd];
    new DitForward(m, be)
        .run(
            List.of(
                Sequence.masked(t, ids, x, a1, l, acts[1].source(0), v1),
                Sequence.masked(t, ids, x, a2, l, acts[0].source(0), v2)),
            plan);
    List<float[]> out = new ArrayList<>();
    out.add(v1);
    out.add(v2);
    return out;
  }
}
