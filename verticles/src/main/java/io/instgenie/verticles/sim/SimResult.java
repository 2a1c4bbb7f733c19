package io.instgenie.verticles.sim;

import io.instgenie.kernels.util.Percentiles;
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
        Percentiles.nearestRank(lat, 0.50),
        Percentiles.nearestRank(lat, 0.95),
        Percentiles.nearestRank(lat, 0.99),
        span > 0 ? n / span : 0,
        c.templateRuns,
        c.lookups,
        c.memoryHits,
        c.diskHits,
        c.promotions,
        span);
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
