package io.instgenie.cache;

import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class Algorithm1Test {

  @Test
  @DisplayName("cheap loads: every block uses the cache")
  void allCache() {
    // Cw=1, Cf=3, Ld=0.5 per block
    // b0: withCache = max(0+0.5, 0)+1 = 1.5 <= 0+3   -> CACHE, load 0.5, comp 1.5
    // b1: withCache = max(0.5+0.5, 1.5)+1 = 2.5 <= 4.5 -> CACHE, load 1.0, comp 2.5
    // b2: withCache = max(1.0+0.5, 2.5)+1 = 3.5 <= 5.5 -> CACHE, load 1.5, comp 3.5
    Algorithm1.Plan p =
        Algorithm1.plan(
            new double[] {1, 1, 1}, new double[] {3, 3, 3}, new double[] {0.5, 0.5, 0.5});
    assertArrayEquals(new BlockMode[] {CACHE, CACHE, CACHE}, p.modes());
    assertEquals(3.5, p.latency(), 1e-12);
    assertEquals(3, p.cachedBlocks());
  }

  @Test
  @DisplayName("loads slower than recomputing: every block recomputes")
  void allRecompute() {
    // Cw=1, Cf=2, Ld=5
    // b0: withCache = max(0+5, 0)+1 = 6 > 0+2 -> RECOMPUTE, comp 2 (load stays 0)
    // b1: withCache = max(0+5, 2)+1 = 6 > 2+2 -> RECOMPUTE, comp 4
    Algorithm1.Plan p =
        Algorithm1.plan(new double[] {1, 1}, new double[] {2, 2}, new double[] {5, 5});
    assertArrayEquals(new BlockMode[] {RECOMPUTE, RECOMPUTE}, p.modes());
    assertEquals(4, p.latency(), 1e-12);
    assertEquals(0, p.cachedBlocks());
  }

  @Test
  @DisplayName(
      "a slow block to load is recomputed, the rest use the cache, beating both uniform plans")
  void mixed() {
    double[] cw = {1, 1, 1, 1};
    double[] cf = {3, 3, 3, 3};
    double[] ld = {1, 4, 1, 1};
    // b0: max(0+1, 0)+1 = 2 <= 0+3       -> CACHE,     load 1, comp 2
    // b1: max(1+4, 2)+1 = 6 >  2+3 = 5    -> RECOMPUTE, load 1, comp 5
    // b2: max(1+1, 5)+1 = 6 <= 5+3 = 8    -> CACHE,     load 2, comp 6
    // b3: max(2+1, 6)+1 = 7 <= 6+3 = 9    -> CACHE,     load 3, comp 7
    Algorithm1.Plan p = Algorithm1.plan(cw, cf, ld);
    assertArrayEquals(new BlockMode[] {CACHE, RECOMPUTE, CACHE, CACHE}, p.modes());
    assertEquals(7, p.latency(), 1e-12);
    // cache everywhere: 2, max(5,2)+1 = 6, max(6,6)+1 = 7, max(7,7)+1 = 8
    assertEquals(
        8, Algorithm1.latency(new BlockMode[] {CACHE, CACHE, CACHE, CACHE}, cw, cf, ld), 1e-12);
    assertEquals(
        12,
        Algorithm1.latency(
            new BlockMode[] {RECOMPUTE, RECOMPUTE, RECOMPUTE, RECOMPUTE}, cw, cf, ld),
        1e-12);
    assertEquals(
        p.latency(), Algorithm1.latency(p.modes(), cw, cf, ld), 1e-12, "latency() replays plan()");
    assertEquals(11, Algorithm1.loadThenCompute(cw, ld), 1e-12); // 7 of loading + 4 of compute
  }

  @Test
  @DisplayName("the first block recomputes while the loader gets ahead; ties go to the cache")
  void recomputeFirstThenTies() {
    // Cw=1, Cf=2, Ld=2
    // b0: max(0+2, 0)+1 = 3 > 0+2        -> RECOMPUTE, load 0, comp 2
    // b1: max(0+2, 2)+1 = 3 <= 2+2 = 4   -> CACHE,     load 2, comp 3
    // b2: max(2+2, 3)+1 = 5 <= 3+2 = 5   -> CACHE (tie), load 4, comp 5
    // b3: max(4+2, 5)+1 = 7 <= 5+2 = 7   -> CACHE (tie), load 6, comp 7
    Algorithm1.Plan p =
        Algorithm1.plan(
            new double[] {1, 1, 1, 1}, new double[] {2, 2, 2, 2}, new double[] {2, 2, 2, 2});
    assertArrayEquals(new BlockMode[] {RECOMPUTE, CACHE, CACHE, CACHE}, p.modes());
    assertEquals(7, p.latency(), 1e-12);
  }

  @Test
  @DisplayName(
      "K/V: the best recompute prefix by hand (loads slow at first, so two blocks recompute while the loader gets ahead)")
  void prefixPlan() {
    // 4 blocks, Cw=1, Cf=3, Ld=2, first cached block after a prefix Cw1=1.5, Ld1=0
    double[] cw = {1, 1, 1, 1};
    double[] cf = {3, 3, 3, 3};
    double[] ld = {2, 2, 2, 2};
    double[] cw1 = {1.5, 1.5, 1.5, 1.5};
    double[] ld1 = {0, 0, 0, 0};
    // p=0: load 2,4,6,8; comp max(2,0)+1=3, max(4,3)+1=5, 7, 9                  -> 9
    // p=1: comp 3; b1 first: load 0, comp 4.5; b2: load 2, 5.5; b3: load 4, 6.5 -> 6.5
    // p=2: comp 6; b2: 7.5; b3: load 2, comp max(2, 7.5)+1 = 8.5                -> 8.5
    // p=3: 9 + 1.5 = 10.5;  p=4: 12
    assertEquals(9, Algorithm1.prefixLatency(0, cw, cf, ld, cw1, ld1), 1e-12);
    assertEquals(6.5, Algorithm1.prefixLatency(1, cw, cf, ld, cw1, ld1), 1e-12);
    assertEquals(8.5, Algorithm1.prefixLatency(2, cw, cf, ld, cw1, ld1), 1e-12);
    assertEquals(10.5, Algorithm1.prefixLatency(3, cw, cf, ld, cw1, ld1), 1e-12);
    assertEquals(12, Algorithm1.prefixLatency(4, cw, cf, ld, cw1, ld1), 1e-12);
    Algorithm1.Plan p = Algorithm1.planPrefix(cw, cf, ld, cw1, ld1);
    assertArrayEquals(new BlockMode[] {RECOMPUTE, CACHE, CACHE, CACHE}, p.modes());
    assertEquals(6.5, p.latency(), 1e-12);
    // free loads: no prefix (ties go to the shorter one)
    double[] zero = {0, 0, 0, 0};
    Algorithm1.Plan free = Algorithm1.planPrefix(cw, cf, zero, cw, zero);
    assertArrayEquals(new BlockMode[] {CACHE, CACHE, CACHE, CACHE}, free.modes());
    assertEquals(4, free.latency(), 1e-12);
    // loads dearer than everything: recompute all
    double[] huge = {100, 100, 100, 100};
    assertEquals(0, Algorithm1.planPrefix(cw, cf, huge, cw1, huge).cachedBlocks());
  }

  @Test
  @DisplayName("costs must be one finite non-negative value per block")
  void badCosts() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Algorithm1.plan(new double[] {1}, new double[] {1, 2}, new double[] {1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> Algorithm1.plan(new double[] {-1}, new double[] {1}, new double[] {1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> Algorithm1.plan(new double[] {Double.NaN}, new double[] {1}, new double[] {1}));
    assertEquals(0, Algorithm1.plan(new double[0], new double[0], new double[0]).latency());
  }

  @Test
  @DisplayName(
      "least squares recovers an exact line with R² = 1 and reports a poorer R² for scattered points")
  void linearFit() {
    LinearFit exact = LinearFit.of(new double[] {1, 2, 3, 4}, new double[] {5, 7, 9, 11});
    assertEquals(3, exact.a(), 1e-12);
    assertEquals(2, exact.b(), 1e-12);
    assertEquals(1, exact.r2(), 1e-12);
    assertEquals(21, exact.predict(9), 1e-12);
    // y = 1, 3, 2, 4 over x = 1..4: Sxy 4, Sxx 5 -> b 0.8, a 0.5; residuals -0.3, 0.9, -0.9, 0.3
    // -> SSres 1.8, SStot 5, R² = 1 - 1.8/5 = 0.64
    LinearFit noisy = LinearFit.of(new double[] {1, 2, 3, 4}, new double[] {1, 3, 2, 4});
    assertEquals(0.8, noisy.b(), 1e-12);
    assertEquals(0.5, noisy.a(), 1e-12);
    assertEquals(0.64, noisy.r2(), 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> LinearFit.of(new double[] {2, 2}, new double[] {1, 3}));
    assertThrows(
        IllegalArgumentException.class, () -> LinearFit.of(new double[] {1}, new double[] {1}));
  }

  @Test
  @DisplayName(
      "a time fit never falls with the work: a negative slope becomes the mean, a negative intercept a line through the origin")
  void timeFit() {
    double[] x = {1, 2, 3, 4};
    // the exact line is kept as it is
    assertEquals(new LinearFit(3, 2, 1, 4), LinearFit.ofTimes(x, new double[] {5, 7, 9, 11}));
    // y = 4, 2, 3, 1: least squares b = -0.8 -> the mean 2.5, flat; SSres = SStot -> R² 0
    LinearFit falling = LinearFit.ofTimes(x, new double[] {4, 2, 3, 1});
    assertEquals(2.5, falling.a(), 1e-12);
    assertEquals(0, falling.b());
    assertEquals(0, falling.r2(), 1e-12);
    // y = 0, 1, 4, 5: least squares a = -2, b = 1.8 -> through the origin b = Σxy/Σxx = 34/30;
    // residuals -17/15, -19/15, 9/15, 7/15 -> SSres 780/225; SStot 17 -> R² = 1 - 780/3825
    LinearFit origin = LinearFit.ofTimes(x, new double[] {0, 1, 4, 5});
    assertEquals(0, origin.a());
    assertEquals(34.0 / 30, origin.b(), 1e-12);
    assertEquals(1 - 780.0 / 3825, origin.r2(), 1e-12);
  }

  @Test
  @DisplayName(
      "the cost model prices FLOPs and whole-segment loads per tier, and its plan follows Algorithm 1")
  void costModel() {
    ModelConfig c = Presets.bench();
    // compute: 1 ms per GFLOP; disk: 1 ms + 1 ms per MB; memory: free
    CostModel m =
        new CostModel(
            new LinearFit(0, 1e-9, 1, 2),
            Map.of(
                TierKind.DISK,
                new LinearFit(1, 1e-6, 1, 2),
                TierKind.MEMORY,
                new LinearFit(0, 0, 1, 2)));
    int n = c.sequenceLength();
    CostModel.Entry e = new CostModel.Entry(100, 2, TierKind.DISK, Precision.F32);
    CostModel.Costs k = m.costs(c, List.of(e));
    assertEquals(2 * FlopModel.block(c, c.promptTokens() + 100, n) * 1e-9, k.cw()[0], 1e-12);
    assertEquals(2 * FlopModel.block(c, n, n) * 1e-9, k.cf()[0], 1e-12);
    long seg = 1024L * 256 * 4; // one segment of the bench preset, loaded once for both branches
    assertEquals(seg, CostModel.loadBytes(c, e));
    assertEquals(1 + seg * 1e-6, k.ld()[c.depth() - 1], 1e-12);
    Algorithm1.Plan p = k.plan();
    assertEquals(Algorithm1.plan(k.cw(), k.cf(), k.ld()).latency(), p.latency());
    assertTrue(
        p.latency() <= c.depth() * k.cf()[0] + 1e-12, "never worse than recomputing everything");
    assertEquals(
        0,
        m.costs(c, List.of(new CostModel.Entry(100, 1, TierKind.MEMORY, Precision.BF16))).ld()[0]);
    CostModel.Costs full = m.costs(c, List.of(CostModel.Entry.uncached(1)));
    assertEquals(full.cw()[0], full.cf()[0]);
    assertEquals(0, full.ld()[0]);
    assertThrows(
        IllegalStateException.class,
        () -> m.costs(c, List.of(new CostModel.Entry(100, 1, TierKind.REMOTE, Precision.F32))));
  }
}
