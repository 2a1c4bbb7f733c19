package io.instgenie.verticles.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One policy's outcome on one workload: latency (arrival to completion, ms) mean and percentiles,
 * throughput (completed edits over the span from first arrival to last completion), and what the
 * caches did.
 */
public record SimResult(
    String policy,
    int completed,
    double meanMs,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double throughputRps,
    long templateRuns,
    long lookups,
    long memoryHits,
    long diskHits,
    long promotions,
    double simulatedSeconds) {

  /** Hits in any tier over lookups (0 when nothing was looked up). */
  public double hitRatio() {
    return lookups == 0 ? 0 : (double) (memoryHits + diskHits) / lookups;
  }

  static SimResult of(String policy, SimCounters c) {
    int n = c.completions.size();
    double[] lat = new double[n];
    double first = Double.MAX_VALUE;
    double last = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double[] x = c.completions.get(i);
      lat[i] = x[1] - x[0];
      sum += lat[i];
      first = Math.min(first, x[0]);
      last = Math.max(last, x[1]);
    }
    Arrays.sort(lat);
    double span = n == 0 ? 0 : (last - first) / 1000;
    return new SimResult(
        policy,
        n,
        n == 0 ? 0 : sum / n,
        percentile(lat, 0.50),
        percentile(lat, 0.95),
        percentile(lat, 0.99),
        span > 0 ? n / span : 0,
        c.templateRuns,
        c.lookups,
        c.memoryHits,
        c.diskHits,
        c.promotions,
        span);
  }

  /** Nearest rank: the smallest value with at least {@code q} of the values at or below it. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The {@code --json} fields of this policy. */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("completed", completed);
    m.put("mean_ms", meanMs);
    m.put("p50_ms", p50Ms);
    m.put("p95_ms", p95Ms);
    m.put("p99_ms", p99Ms);
    m.put("throughput_rps", throughputRps);
    m.put("template_runs", templateRuns);
    m.put("cache_hit_ratio", hitRatio());
    m.put("memory_hits", memoryHits);
    m.put("disk_hits", diskHits);
    m.put("promotions", promotions);
    m.put("simulated_s", simulatedSeconds);
    return m;
  }
}
