package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockMode;
import java.util.Arrays;

/**
 * Algorithm 1 of DESIGN.md, the per-block cache-or-recompute choice of the bubble-free pipeline, as
 * a pure function of per-block costs (any time unit, the same for all three arrays): Cw(b) compute
 * with the cache, Cf(b) compute without, Ld(b) loading block b's cached rows.
 */
public final class Algorithm1 {
  /** The chosen mode per block and the estimated step latency (the compute clock at the end). */
  public record Plan(BlockMode[] modes, double latency) {
    public Plan {
      modes = modes.clone();
    }

    @Override
    public BlockMode[] modes() {
      return modes.clone();
    }

    public int cachedBlocks() {
      return (int) Arrays.stream(modes).filter(m -> m == BlockMode.CACHE).count();
    }
  }

  private Algorithm1() {}

  /**
   *
   *
   * <pre>
   * load = comp = 0
   * for b: withCache = max(load + Ld(b), comp) + Cw(b)
   *        if withCache &lt;= comp + Cf(b): load += Ld(b); comp = withCache; CACHE
   *        else:                           comp += Cf(b);                  RECOMPUTE
   * </pre>
   *
   * Ties go to CACHE.
   */
  public static Plan plan(double[] cw, double[] cf, double[] ld) {
    check(cw, cf, ld);
    BlockMode[] modes = new BlockMode[cw.length];
    double load = 0;
    double comp = 0;
    for (int b = 0; b < cw.length; b++) {
      double withCache = Math.max(load + ld[b], comp) + cw[b];
      if (withCache <= comp + cf[b]) {
        load += ld[b];
        comp = withCache;
        modes[b] = BlockMode.CACHE;
      } else {
        comp += cf[b];
        modes[b] = BlockMode.RECOMPUTE;
      }
    }
    return new Plan(modes, comp);
  }

  /**
   * Algorithm 1 for a K/V cache, where only a prefix of blocks may recompute: the best prefix
   * length p by the same pipeline model. Blocks before p recompute (Cf); block p, when p &gt; 0,
   * projects K/V from its inputs and loads nothing (Cw1, with Ld1 for rows of Y caches in the
   * batch); every later block uses the cache (Cw, Ld), the loader having run from the step's start.
   * Ties go to the shorter prefix.
   */
  public static Plan planPrefix(double[] cw, double[] cf, double[] ld, double[] cw1, double[] ld1) {
    check(cw, cf, ld);
    check(cw1, cf, ld1);
    Plan best = null;
    for (int p = 0; p <= cw.length; p++) {
      double latency = prefixLatency(p, cw, cf, ld, cw1, ld1);
      if (best == null || latency < best.latency()) best = new Plan(prefix(cw.length, p), latency);
    }
    return best;
  }

  /** The pipeline model's latency of recomputing the first {@code p} blocks of a K/V step. */
  public static double prefixLatency(
      int p, double[] cw, double[] cf, double[] ld, double[] cw1, double[] ld1) {
    double load = 0;
    double comp = 0;
    for (int b = 0; b < cw.length; b++) {
      if (b < p) {
        comp += cf[b];
      } else if (b == p && p > 0) {
        load += ld1[b];
        comp = Math.max(load, comp) + cw1[b];
      } else {
        load += ld[b];
        comp = Math.max(load, comp) + cw[b];
      }
    }
    return comp;
  }

  /** RECOMPUTE for the first {@code p} of {@code depth} blocks, CACHE after. */
  public static BlockMode[] prefix(int depth, int p) {
    BlockMode[] modes = new BlockMode[depth];
    for (int b = 0; b < depth; b++) modes[b] = b < p ? BlockMode.RECOMPUTE : BlockMode.CACHE;
    return modes;
  }

  /**
   * The same pipeline model's latency for a given plan (e.g. CACHE everywhere: baseline (b) of the
   * benchmark).
   */
  public static double latency(BlockMode[] modes, double[] cw, double[] cf, double[] ld) {
    check(cw, cf, ld);
    if (modes.length != cw.length)
      throw new IllegalArgumentException(modes.length + " modes for " + cw.length + " blocks");
    double load = 0;
    double comp = 0;
    for (int b = 0; b < cw.length; b++) {
      if (modes[b] == BlockMode.CACHE) {
        load += ld[b];
        comp = Math.max(load, comp) + cw[b];
      } else {
        comp += cf[b];
      }
    }
    return comp;
  }

  /** Load every cached block first, then compute (no overlap): baseline (a) of the benchmark. */
  public static double loadThenCompute(double[] cw, double[] ld) {
    double total = 0;
    for (int b = 0; b < cw.length; b++) total += ld[b] + cw[b];
    return total;
  }

  private static void check(double[] cw, double[] cf, double[] ld) {
    if (cw.length != cf.length || cw.length != ld.length) {
      throw new IllegalArgumentException(
          "Cw, Cf and Ld need one value per block: "
              + cw.length
              + ", "
              + cf.length
              + ", "
              + ld.length);
    }
    for (int b = 0; b < cw.length; b++) {
      if (!(cw[b] >= 0 && cf[b] >= 0 && ld[b] >= 0) || Double.isInfinite(cw[b] + cf[b] + ld[b])) {
        throw new IllegalArgumentException(
            "block "
                + b
                + ": costs must be finite and >= 0, got Cw="
                + cw[b]
                + " Cf="
                + cf[b]
                + " Ld="
                + ld[b]);
      }
    }
  }
}
