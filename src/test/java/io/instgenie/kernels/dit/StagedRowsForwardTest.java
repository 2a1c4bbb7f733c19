package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CachedRowStaging;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seam of the GPU cached-row path, on the host: a backend offering {@link CachedRowStaging}
 * receives every cached gather (and no host gather happens), in the documented order, and the
 * result is bit-identical to the host path.
 */
class StagedRowsForwardTest {

  /** CpuBackend plus a staging that gathers on the host and logs the calls. */
  private static Backend staging(Backend cpu, List<String> log) {
    CachedRowStaging s =
        new CachedRowStaging() {
          @Override
          public void begin(
              List<BlockSource> sources, List<int[]> tokens, BlockMode[] plan, int l, int h) {
            log.add("begin " + sources.size() + " " + l + "x" + h);
          }

          @Override
          public void gather(BlockSource src, int block, int[] tokens, FloatBuf dst, long off) {
            log.add("gather " + block);
            src.gather(block, tokens, dst, off);
          }

          @Override
          public void blockDone(int block) {
            log.add("done " + block);
          }

          @Override
          public void end() {
            log.add("end");
          }
        };
    return (Backend)
        Proxy.newProxyInstance(
            Backend.class.getClassLoader(),
            new Class<?>[] {Backend.class, CachedRowStaging.class},
            (proxy, m, args) ->
                m.getDeclaringClass() == CachedRowStaging.class
                    ? m.invoke(s, args)
                    : m.invoke(cpu, args));
  }

  @Test
  @DisplayName("with a staging backend the masked forward equals the host path bit for bit")
  void sameNumbers() {
    ModelConfig c = Presets.byName("tiny");
    DitModel m = DitModel.random(c, 3);
    int l = c.imageTokens();
    int pd = c.patchDim();
    float[] x = Noise.gaussian(2, l * pd);
    MemoryActivations acts = new MemoryActivations(c, 1);
    new DitForward(m, new CpuBackend())
        .run(
            List.of(
                Sequence.full(0.6f, Prompts.nullPrompt(c), x, l, new float[l * pd], acts.sink(0))),
            null);
    int[] a1 = {0, 3, 7};
    int[] a2 = {1, 2, l - 1};
    BlockMode[] plan = new BlockMode[c.depth()];
    Arrays.fill(plan, BlockMode.CACHE);
    plan[1] = BlockMode.RECOMPUTE;
    List<String> log = new ArrayList<>();
    List<float[]> host = run(m, new CpuBackend(), plan, acts, x, a1, a2);
    List<float[]> staged = run(m, staging(new CpuBackend(), log), plan, acts, x, a1, a2);
    for (int i = 0; i < host.size(); i++)
      assertArrayEquals(host.get(i), staged.get(i), "sequence " + i);
    List<String> want = new ArrayList<>();
    want.add("begin 2 " + l + "x" + c.hiddenSize());
    for (int b = 0; b < c.depth(); b++) {
      if (plan[b] == BlockMode.RECOMPUTE) continue;
      want.addAll(List.of("gather " + b, "gather " + b, "done " + b));
    }
    want.add("end");
    assertEquals(want, log);
  }

  private static List<float[]> run(
      DitModel m,
      Backend be,
      BlockMode[] plan,
      MemoryActivations acts,
      float[] x,
      int[] a1,
      int[] a2) {
    ModelConfig c = m.config();
    int l = c.imageTokens();
    int pd = c.patchDim();
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    List<float[]> out = new ArrayList<>();
    List<Sequence> seqs = new ArrayList<>();
    for (int[] a : new int[][] {a1, a2}) {
      float[] v = new float[a.length * pd];
      out.add(v);
      seqs.add(Sequence.masked(0.4f, ids, x, a, l, acts.source(0), v));
    }
    float[] v = new float[l * pd];
    out.add(v);
    seqs.add(Sequence.full(0.4f, ids, x, l, v, null));
    new DitForward(m, be).run(seqs, plan);
    return out;
  }
}
