package io.instgenie.verticles.sim;

import io.instgenie.kernels.util.Percentiles;
import io.instgenie.verticles.policy.Priority;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One policy's outcome on one workload: latency (arrival to completion, ms) mean and percentiles,
 * throughput (completed edits over the span from first arrival to last completion), and what the
 * caches did; with a mix of classes, each class's mean (NaN for a class with no edit) and, once
 * measured ({@link #withIdle}), the interactive edits' mean on an otherwise idle worker.
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
    double simulatedSeconds,
    double interactiveMeanMs,
    double batchMeanMs,
    double interactiveIdleMeanMs) {

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
    double[] classSum = new double[2];
    int[] classCount = new int[2];
    for (int i = 0; i < n; i++) {
      double[] x = c.completions.get(i);
      int k = x[2] == Priority.INTERACTIVE.rank() ? 0 : 1;
      classSum[k] += x[1] - x[0];
      classCount[k]++;
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
        span,
        classCount[0] == 0 ? Double.NaN : classSum[0] / classCount[0],
        classCount[1] == 0 ? Double.NaN : classSum[1] / classCount[1],
        Double.NaN);
  }

  /** The same result with the interactive edits' mean latency alone on an idle worker. */
  public SimResult withIdle(double idleMs) {
    return new SimResult(
        policy,
        completed,
        meanMs,
        p50Ms,
        p95Ms,
        p99Ms,
        throughputRps,
        templateRuns,
        lookups,
        memoryHits,
        diskHits,
        promotions,
        simulatedSeconds,
        interactiveMeanMs,
        batchMeanMs,
        idleMs);
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
    boolean mixed = !Double.isNaN(interactiveMeanMs) && !Double.isNaN(batchMeanMs);
    if (mixed) {
      m.put("interactive_mean_ms", interactiveMeanMs);
      m.put("batch_mean_ms", batchMeanMs);
    }
    if (mixed && !Double.isNaN(interactiveIdleMeanMs)) {
      m.put("interactive_idle_mean_ms", interactiveIdleMeanMs);
      m.put("interactive_over_idle", interactiveMeanMs / interactiveIdleMeanMs);
    }
    return m;
  }
}
