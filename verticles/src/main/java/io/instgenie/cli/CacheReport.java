package io.instgenie.cli;

import io.instgenie.cache.LinearFit;
import io.instgenie.cache.TierKind;
import io.instgenie.cache.bench.CacheBench;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The table and the JSON of {@code instgenie bench cache}. */
final class CacheReport {
  /** Algorithm 1 should be within this factor of max(compute-only, load-only). */
  private static final double BOUND_SLACK = 1.10;

  /**
   * A gap between equal work measured twice on a shared 2-core machine: "not slower" allows this
   * much.
   */
  private static final double NOISE = 0.05;

  private CacheReport() {}

  static Map<String, Object> json(String modelName, CacheBench.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", modelName);
    m.put("backend", r.backend());
    m.put("tokens", r.tokens());
    m.put("depth", r.depth());
    m.put("steps", r.steps());
    m.put("branches", r.branches());
    m.put("run_steps", r.runSteps());
    m.put("precision", r.precision().name());
    m.put("cache_mode", r.kind().name().toLowerCase(Locale.ROOT));
    m.put("segment_bytes", r.segmentBytes());
    m.put("file_bytes", r.fileBytes());
    m.put("disk_reads", r.diskReads());
    m.put("disk_cold", r.coldDisk());
    if (r.remoteMbps() > 0) m.put("remote_simulated_mbps", r.remoteMbps());
    Map<String, Object> fits = new LinkedHashMap<>();
    fits.put("compute_ms_per_block_vs_flops", fit(r.compute()));
    for (var e : r.load().entrySet())
      fits.put("load_ms_vs_bytes_" + e.getKey().name().toLowerCase(Locale.ROOT), fit(e.getValue()));
    m.put("fits", fits);
    Map<String, Object> perBatch = new LinkedHashMap<>();
    for (CacheBench.BatchResult b : r.batches()) {
      Map<String, Object> tiers = new LinkedHashMap<>();
      for (var t : b.tiers().entrySet()) {
        Map<String, Object> rows = new LinkedHashMap<>();
        t.getValue().forEach((ratio, row) -> rows.put(ratio, row(row)));
        tiers.put(t.getKey().name().toLowerCase(Locale.ROOT), rows);
      }
      perBatch.put(String.valueOf(b.batch()), tiers);
      if (b.batch() == r.batches().get(0).batch())
        m.putAll(tiers); // the first batch size at the top level
    }
    m.put("batches", perBatch);
    return m;
  }

  private static Map<String, Object> fit(LinearFit f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("intercept", f.a());
    m.put("slope", f.b());
    m.put("r2", f.r2());
    m.put("samples", f.samples());
    return m;
  }

  private static Map<String, Object> row(CacheBench.Row w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("naive_ms", w.naiveMs());
    m.put("pipeline_ms", w.pipelineMs());
    m.put("alg1_ms", w.alg1Ms());
    m.put("compute_only_ms", w.computeOnlyMs());
    m.put("load_only_ms", w.loadOnlyMs());
    m.put("alg1_plan", w.plan());
    m.put("naive_pred_ms", w.naivePredMs());
    m.put("pipeline_pred_ms", w.pipelinePredMs());
    m.put("alg1_pred_ms", w.alg1PredMs());
    m.put("pipeline_bubble_ms", w.pipelineBubbleMs());
    m.put("alg1_bubble_ms", w.alg1BubbleMs());
    m.put("alg1_over_bound", w.alg1OverBound());
    m.put("alg1_over_best_baseline", w.alg1OverBest());
    return m;
  }

  static String table(String modelName, CacheBench.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "cache benchmark: %s, %d image tokens, depth %d, %d steps, backend %s%n",
            modelName,
            r.tokens(),
            r.depth(),
            r.steps(),
            r.backend()));
    sb.append(
        String.format(
            Locale.ROOT,
            "%d guidance branch(es) per edit, cache %s, %s storage: %.2f MiB per block segment, %.2f MiB per step, %.1f MiB file per template; ms per step over runs of %d consecutive steps%n",
            r.branches(),
            r.kind(),
            r.precision(),
            r.segmentBytes() / 1048576.0,
            r.segmentBytes() * (double) r.depth() / 1048576.0,
            r.fileBytes() / 1048576.0,
            r.runSteps()));
    if (r.load().containsKey(TierKind.DISK))
      sb.append("disk tier: ").append(r.diskReads()).append('\n');
    if (r.remoteMbps() > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "remote tier: SIMULATED, memory reads held to %.0f MB/s (no remote tier exists yet)%n",
              r.remoteMbps()));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "fits: compute per block %.3f ms + %.3f ms/GFLOP (R² %.4f)",
            r.compute().a(),
            r.compute().b() * 1e9,
            r.compute().r2()));
    for (var e : r.load().entrySet()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "; load %s %.3f ms + %.3f ms/MiB (R² %.4f)",
              e.getKey().name().toLowerCase(Locale.ROOT),
              e.getValue().a(),
              e.getValue().b() * 1048576,
              e.getValue().r2()));
    }
    sb.append("\n\n");
    sb.append(
        String.format(
            "%-5s %-6s %-5s %9s %8s %9s %9s %9s %-9s %9s %8s %8s %8s %9s%n",
            "batch",
            "tier",
            "ratio",
            "compute",
            "load",
            "(a)naive",
            "(b)pipe",
            "(c)alg1",
            "plan",
            "alg1 pred",
            "bubbl(b)",
            "bubbl(c)",
            "c/bound",
            "c/min(ab)"));
    int rows = 0;
    int bounded = 0;
    int strict = 0;
    int noisy = 0;
    StringBuilder misses = new StringBuilder();
    for (CacheBench.BatchResult b : r.batches()) {
      for (var t : b.tiers().entrySet()) {
        String tier = t.getKey().name().toLowerCase(Locale.ROOT);
        for (var e : t.getValue().entrySet()) {
          CacheBench.Row w = e.getValue();
          double overBound = w.alg1OverBound();
          double overBest = w.alg1OverBest();
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%-5d %-6s %-5s %9.1f %8.1f %9.1f %9.1f %9.1f %-9s %9.1f %8.1f %8.1f %8.3f %9.3f%n",
                  b.batch(),
                  tier,
                  e.getKey(),
                  w.computeOnlyMs(),
                  w.loadOnlyMs(),
                  w.naiveMs(),
                  w.pipelineMs(),
                  w.alg1Ms(),
                  w.plan(),
                  w.alg1PredMs(),
                  w.pipelineBubbleMs(),
                  w.alg1BubbleMs(),
                  overBound,
                  overBest));
          rows++;
          bounded += overBound <= BOUND_SLACK ? 1 : 0;
          strict += overBest <= 1.0 ? 1 : 0;
          noisy += overBest <= 1.0 + NOISE ? 1 : 0;
          if (overBound > BOUND_SLACK || overBest > 1.0 + NOISE) {
            misses.append(
                String.format(
                    Locale.ROOT,
                    "  missed: batch %d %s %s (c/bound %.3f, c/min(a,b) %.3f)%n",
                    b.batch(),
                    tier,
                    e.getKey(),
                    overBound,
                    overBest));
          }
        }
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%ntimes in ms, medians over rounds; c/bound = (c) / max(compute, load) and c/min(ab) ="
                + " (c) / min((a), (b)), each the median of the ratios within a round (paired);%nplan: C = cache, R = recompute per block;"
                + " where the plan is all C, (c) runs exactly what (b) runs and their gap is measurement noise%n"));
    sb.append(
        String.format(
            Locale.ROOT, "target (c) <= 1.10 x bound: met in %d of %d rows%n", bounded, rows));
    sb.append(
        String.format(
            Locale.ROOT,
            "target (c) <= min((a), (b)): met strictly in %d of %d rows, within %.0f%% in %d of %d%n",
            strict,
            rows,
            100 * NOISE,
            noisy,
            rows));
    sb.append(misses);
    return sb.toString();
  }
}
