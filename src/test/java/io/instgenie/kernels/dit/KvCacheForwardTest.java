package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.backend.Dense;
import io.instgenie.kernels.backend.Modulation;
import io.instgenie.kernels.backend.ReferenceBackend;
import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.backend.Span;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Cache K/V mode (DESIGN.md, "Masked forward"): the keys and values of unmasked rows come from the
 * template run instead of being recomputed from its cached block outputs. They are the same numbers
 * computed in another place, so K/V and Y modes agree exactly where every operation is row-wise
 * deterministic (the reference backend), and to float rounding of GEMM blocking elsewhere. After a
 * recomputed prefix, the first cached block projects K/V from its inputs as Y mode does, so the
 * agreement holds for every plan a K/V cache allows.
 */
class KvCacheForwardTest {
  private static final ModelConfig TINY = Presets.tiny();
  private static final DitModel TINY_MODEL = DitModel.random(TINY, 7);

  /** A template run of one step recorded in both kinds, and masked inputs that differ from it. */
  private record Fixture(
      DitModel model, float t, float[] edit, MemoryActivations y, MemoryActivations kv) {
    ModelConfig c() {
      return model.config();
    }

    float[] masked(Backend be, int[] ids, int[] active, MemoryActivations acts, BlockMode[] plan) {
      float[] v = new float[active.length * c().patchDim()];
      new DitForward(model, be)
          .run(
              List.of(Sequence.masked(t, ids, edit, active, c().imageTokens(), acts.source(0), v)),
              plan);
      return v;
    }
  }

  private static Fixture fixture(DitModel model, Backend be, long seed, int[] active) {
    ModelConfig c = model.config();
    int n = c.imageTokens() * c.patchDim();
    float[] template = Noise.gaussian(seed, n);
    float[] edit = template.clone();
    float[] other = Noise.gaussian(seed + 100, n);
    int pd = c.patchDim();
    for (int a : active) System.arraycopy(other, a * pd, edit, a * pd, pd);
    float t = 0.6f;
    MemoryActivations y = new MemoryActivations(c, 1, CacheKind.Y);
    MemoryActivations kv = new MemoryActivations(c, 1, CacheKind.KV);
    int[] nullIds = Prompts.nullPrompt(c);
    DitForward f = new DitForward(model, be);
    f.run(List.of(Sequence.full(t, nullIds, template, c.imageTokens(), null, y.sink(0))), null);
    f.run(List.of(Sequence.full(t, nullIds, template, c.imageTokens(), null, kv.sink(0))), null);
    return new Fixture(model, t, edit, y, kv);
  }

  private static int[] everyKth(int tokens, int k, int from) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < tokens; i += k) out.add(i);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static BlockMode[] prefix(int depth, int recomputed) {
    BlockMode[] plan = new BlockMode[depth];
    for (int b = 0; b < depth; b++)
      plan[b] = b < recomputed ? BlockMode.RECOMPUTE : BlockMode.CACHE;
    return plan;
  }

  @Test
  @DisplayName(
      "tiny preset, reference backend: K/V mode equals Y mode exactly, for every recompute prefix")
  void tinyReferenceExact() {
    int[] active = {1, 2, 5, 11, 14};
    Fixture f = fixture(TINY_MODEL, new ReferenceBackend(), 11, active);
    int[] ids = Prompts.encode(TINY, "a red circle");
    for (int p = 0; p <= TINY.depth(); p++) {
      BlockMode[] plan = prefix(TINY.depth(), p);
      float[] y = f.masked(new ReferenceBackend(), ids, active, f.y(), plan);
      float[] kv = f.masked(new ReferenceBackend(), ids, active, f.kv(), plan);
      assertArrayEquals(y, kv, "plan " + Arrays.toString(plan));
    }
  }

  @Test
  @DisplayName("tiny preset, CPU backend: K/V mode equals Y mode within 1e-5")
  void tinyCpuWithinRounding() {
    int[] active = {0, 3, 4, 9, 15};
    Fixture f = fixture(TINY_MODEL, new CpuBackend(), 12, active);
    int[] ids = Prompts.encode(TINY, "blue square");
    double d =
        DitForwardTest.maxAbsDiff(
            f.masked(new CpuBackend(), ids, active, f.y(), null),
            f.masked(new CpuBackend(), ids, active, f.kv(), null));
    assertTrue(d <= 1e-5, "max abs diff " + d);
  }

  @Test
  @DisplayName(
      "bench preset, CPU backend, mask ratio 0.2: K/V mode equals Y mode within 1e-4 (CACHE everywhere and a 2-block prefix)")
  void benchCpuWithinRounding() {
    ModelConfig c = Presets.bench();
    DitModel model = DitModel.random(c, 3);
    int[] active = everyKth(c.imageTokens(), 5, 2);
    Fixture f = fixture(model, new CpuBackend(), 13, active);
    int[] ids = Prompts.encode(c, "a red circle");
    for (BlockMode[] plan : new BlockMode[][] {null, prefix(c.depth(), 2)}) {
      double d =
          DitForwardTest.maxAbsDiff(
              f.masked(new CpuBackend(), ids, active, f.y(), plan),
              f.masked(new CpuBackend(), ids, active, f.kv(), plan));
      assertTrue(d <= 1e-4, Arrays.toString(plan) + ": max abs diff " + d);
    }
  }

  @Test
  @DisplayName(
      "with every token masked, the K/V-mode masked forward equals the full forward bit for bit")
  void allMaskedEqualsFull() {
    int l = TINY.imageTokens();
    int[] all = everyKth(l, 1, 0);
    Fixture f = fixture(TINY_MODEL, new CpuBackend(), 14, all);
    int[] ids = Prompts.encode(TINY, "green star");
    float[] full = new float[l * TINY.patchDim()];
    new DitForward(TINY_MODEL, new CpuBackend())
        .run(List.of(Sequence.full(f.t(), ids, f.edit(), l, full, null)), null);
    assertArrayEquals(full, f.masked(new CpuBackend(), ids, all, f.kv(), null));
  }

  @Test
  @DisplayName(
      "a packed batch mixing Y-cache, K/V-cache and full sequences equals each run alone (reference, exact)")
  void mixedBatchEqualsAlone() {
    int[] a1 = {0, 3, 4, 9};
    int[] a2 = {2, 7, 8, 13, 15};
    Fixture f = fixture(TINY_MODEL, new ReferenceBackend(), 15, a1);
    int[] ids = Prompts.encode(TINY, "small ring");
    int pd = TINY.patchDim();
    int l = TINY.imageTokens();
    float[] aloneY = f.masked(new ReferenceBackend(), ids, a1, f.y(), null);
    float[] aloneKv = f.masked(new ReferenceBackend(), ids, a2, f.kv(), null);
    float[] aloneFull = new float[l * pd];
    new DitForward(TINY_MODEL, new ReferenceBackend())
        .run(List.of(Sequence.full(0.3f, ids, f.edit(), l, aloneFull, null)), null);
    float[] vy = new float[a1.length * pd];
    float[] vkv = new float[a2.length * pd];
    float[] vFull = new float[l * pd];
    new DitForward(TINY_MODEL, new ReferenceBackend())
        .run(
            List.of(
                Sequence.masked(f.t(), ids, f.edit(), a2, l, f.kv().source(0), vkv),
                Sequence.full(0.3f, ids, f.edit(), l, vFull, null),
                Sequence.masked(f.t(), ids, f.edit(), a1, l, f.y().source(0), vy)),
            null);
    assertArrayEquals(aloneY, vy, "Y-cache sequence");
    assertArrayEquals(aloneKv, vkv, "K/V-cache sequence");
    assertArrayEquals(aloneFull, vFull, "full sequence");
  }

  /** The reference backend, counting the FLOPs of the GEMM-shaped work it is given. */
  private static final class Counting implements Backend {
    final Backend ref = new ReferenceBackend();
    double flops;
    long normRows;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public void linear(Rows y, Rows x, Dense w, int m, int n, int k, boolean accumulate) {
      flops += 2.0 * m * n * k;
      ref.linear(y, x, w, m, n, k, accumulate);
    }

    @Override
    public void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps) {
      normRows += rows;
      ref.layerNormModulate(y, x, rows, h, mod, eps);
    }

    @Override
    public void geluTanh(FloatBuf x, long off, long n) {
      ref.geluTanh(x, off, n);
    }

    @Override
    public void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n) {
      ref.silu(y, yOff, x, xOff, n);
    }

    @Override
    public void gatedAdd(
        FloatBuf x,
        long xOff,
        FloatBuf y,
        long yOff,
        FloatBuf gate,
        long gateOff,
        int rows,
        int h) {
      ref.gatedAdd(x, xOff, y, yOff, gate, gateOff, rows, h);
    }

    @Override
    public void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
      flops += 4.0 * q.count() * (kv1.count() + kv2.count()) * heads * d;
      ref.attention(out, qkv, q, kv1, kv2, heads, d);
    }
  }

  @Test
  @DisplayName(
      "a K/V-mode masked forward saves exactly the work FlopModel says: no embedding, LayerNorm or K/V projection of unmasked rows")
  void kvSkipsUnmaskedWork() {
    int[] active = {1, 2, 5, 11, 14};
    Fixture f = fixture(TINY_MODEL, new ReferenceBackend(), 17, active);
    int[] ids = Prompts.nullPrompt(TINY);
    int rows = TINY.promptTokens() + active.length;
    Counting y = new Counting();
    float[] vy = f.masked(y, ids, active, f.y(), null);
    Counting kv = new Counting();
    float[] vkv = f.masked(kv, ids, active, f.kv(), null);
    assertArrayEquals(vy, vkv);
    // the conditioning's small GEMMs are the same in both modes and cancel out
    assertEquals(
        FlopModel.sequence(TINY, active.length, BlockMode.CACHE)
            - FlopModel.sequence(TINY, active.length, BlockMode.CACHE, CacheKind.KV),
        y.flops - kv.flops,
        0.0);
    assertTrue(kv.flops < y.flops, kv.flops + " < " + y.flops);
    // per block: two LayerNorms on the computed rows, and in Y mode one on the unmasked rows;
    // then the final layer's on the masked rows
    int depth = TINY.depth();
    int l = TINY.imageTokens();
    assertEquals((long) depth * (2 * rows + (l - active.length)) + active.length, y.normRows);
    assertEquals((long) depth * 2 * rows + active.length, kv.normRows);
  }

  @Test
  @DisplayName(
      "a plan that recomputes a block after a cached one is refused when a K/V cache is read")
  void nonPrefixPlanRefused() {
    int[] active = {1, 6};
    Fixture f = fixture(TINY_MODEL, new ReferenceBackend(), 16, active);
    int[] ids = Prompts.nullPrompt(TINY);
    BlockMode[] plan = {BlockMode.CACHE, BlockMode.RECOMPUTE};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.masked(new ReferenceBackend(), ids, active, f.kv(), plan));
    assertTrue(e.getMessage().contains("prefix"), e.getMessage());
    // the same plan is fine on a Y cache
    f.masked(new ReferenceBackend(), ids, active, f.y(), plan);
  }
}
