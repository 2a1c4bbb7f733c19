package io.instgenie.cache;

import io.instgenie.kernels.dit.BlockMode;
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
