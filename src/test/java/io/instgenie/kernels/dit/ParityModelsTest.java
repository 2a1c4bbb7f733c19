package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.ReferenceBackend;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPU forward parity tests can fail for the bugs they are there for: with {@link ParityModels}'
 * weights, a masked forward fed the cache of a neighbouring step (t 0.50 instead of 0.55: a stale
 * cache) moves the velocity by more than 100 times the FP32 tolerance, while two correct backends
 * (reference and CPU) stay within it. Runs on the CPU.
 */
class ParityModelsTest {

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "bench"})
  @DisplayName(
      "a stale cache moves the velocity far past the FP32 tolerance; a correct backend not")
  void toleranceSeesAStaleCache(String preset) {
    DitModel m = ParityModels.of(preset, 7);
    ModelConfig c = m.config();
    int l = c.imageTokens();
    float[] x = Noise.gaussian(3, l * c.patchDim());
    int[] a = EngineBench.randomTokens(new Random(5), Math.max(1, l / 5), l);
    BlockSource right = template(m, x, 0.55f).source(0);
    float[] cpu = masked(m, ParityModels.cpu(), right, a, x);
    double tol = ParityModels.fp32Tolerance(cpu);
    double impl = ParityModels.maxAbs(cpu, masked(m, new ReferenceBackend(), right, a, x));
    assertTrue(impl <= tol, preset + ": reference vs CPU " + impl + " > tolerance " + tol);
    float[] stale = masked(m, ParityModels.cpu(), template(m, x, 0.5f).source(0), a, x);
    double moved = ParityModels.maxAbs(cpu, stale);
    assertTrue(moved > 100 * tol, preset + ": a stale cache moved v by " + moved + ", tol " + tol);
  }

  private static MemoryActivations template(DitModel m, float[] x, float t) {
    ModelConfig c = m.config();
    int l = c.imageTokens();
    MemoryActivations acts = new MemoryActivations(c, 1);
    Sequence s =
        Sequence.full(t, Prompts.nullPrompt(c), x, l, new float[l * c.patchDim()], acts.sink(0));
    new DitForward(m, ParityModels.cpu()).run(List.of(s), null);
    return acts;
  }

  private static float[] masked(DitModel m, Backend be, BlockSource src, int[] a, float[] x) {
    ModelConfig c = m.config();
    float[] v = new float[a.length * c.patchDim()];
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    BlockMode[] plan = new BlockMode[c.depth()];
    Arrays.fill(plan, BlockMode.CACHE);
    Sequence s = Sequence.masked(0.55f, ids, x, a, c.imageTokens(), src, v);
    new DitForward(m, be).run(List.of(s), plan);
    return v;
  }
}
