package io.instgenie.kernels.util;

/** Percentiles of measured latencies, by one definition wherever they are reported. */
public final class Percentiles {
  private Percentiles() {}

  /**
   * Nearest rank: the smallest value with at least {@code q} of the values at or below it ({@code
   * sorted} ascending; 0 when empty).
   */
  public static double nearestRank(double[] sorted, double q) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
