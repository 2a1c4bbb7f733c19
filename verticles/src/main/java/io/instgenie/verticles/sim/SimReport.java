package io.instgenie.verticles.sim;

import io.instgenie.verticles.policy.Routing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table and the {@code --json} document of {@code instgenie simulate}. */
public record SimReport(
    SimConfig config,
    String workload,
    double rateRps,
    double capacityRps,
    int meanMaskedTokens,
    List<SimResult> results,
    Map<Double, List<SimResult>> sweep) {

  /**
   * P95 (or mean) of cost-aware routing relative to fewest-requests, 1 − cost / fewest, with
   * continuous batching (null when either did not run that way).
   */
  public Double reduction(boolean p95) {
    SimResult cost = find(results, Routing.COST);
    SimResult fewest = find(results, Routing.FEWEST_REQUESTS);
    if (cost == null || fewest == null) return null;
    return p95 ? 1 - cost.p95Ms() / fewest.p95Ms() : 1 - cost.meanMs() / fewest.meanMs();
  }

  static SimResult find(List<SimResult> rs, Routing r) {
    return find(rs, r, true);
  }

  static SimResult find(List<SimResult> rs, Routing r, boolean continuous) {
    for (SimResult x : rs) if (x.policy().equals(Simulator.label(r, continuous))) return x;
    return null;
  }

  /**
   * For each policy run both ways, the ratios of static to continuous batching, each oriented so
   * that above 1 favours continuous: mean and P95 latency static / continuous, throughput
   * continuous / static.
   */
  public Map<String, Map<String, Double>> batchingRatios() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    for (Routing r : Routing.values()) {
      SimResult c = find(results, r, true);
      SimResult s = find(results, r, false);
      if (c == null || s == null) continue;
      Map<String, Double> x = new LinkedHashMap<>();
      x.put("mean_static_over_continuous", s.meanMs() / c.meanMs());
      x.put("p95_static_over_continuous", s.p95Ms() / c.p95Ms());
      x.put("throughput_continuous_over_static", c.throughputRps() / s.throughputRps());
      m.put(r.configName(), x);
    }
    return m;
  }

  /**
   * For each continuous run (any step policy) of a routing policy that also ran static: mean and
   * P95 latency static / it (above 1: it is faster) and throughput it / static.
   */
  public Map<String, Map<String, Double>> staticRatios() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    for (Routing r : Routing.values()) {
      SimResult s = find(results, r, false);
      if (s == null) continue;
      for (SimResult x : results) {
        String label = x.policy();
        boolean same = label.equals(r.configName()) || label.startsWith(r.configName() + "+");
        if (!same) continue;
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("mean_static_over", s.meanMs() / x.meanMs());
        v.put("p95_over_static", x.p95Ms() / s.p95Ms());
        v.put("throughput_over_static", x.throughputRps() / s.throughputRps());
        m.put(label, v);
      }
    }
    return m;
  }

  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "simulate: %d workers, max batch %d, %s model (%d tokens, depth %d), %d branch(es);"
                + " cache per worker %s memory, %s disk (%s)%n",
            config.workers(),
            config.maxBatch(),
            config.model().imageSize() + "px",
            config.model().imageTokens(),
            config.model().depth(),
            config.branches(),
            gib(config.memoryBytes()),
            gib(config.diskBytes()),
            config.precision().name().toLowerCase(Locale.ROOT)));
    b.append(String.format(Locale.ROOT, "workload: %s%n", workload));
    b.append(
        String.format(
            Locale.ROOT,
            "costs: compute per block %s ms/FLOP; load %s%n",
            config.costs().compute(),
            config.costs().load()));
    b.append(
        String.format(
            Locale.ROOT,
            "rate %.3g req/s = %.0f%% of %.3g req/s (full batches of %d-token edits, no template"
                + " runs)%n%n",
            rateRps,
            100 * rateRps / capacityRps,
            capacityRps,
            meanMaskedTokens));
    b.append(
        String.format(
            Locale.ROOT,
            "%-28s %6s %9s %9s %9s %9s %9s %8s %6s%n",
            "policy",
            "done",
            "thru/s",
            "mean s",
            "p50 s",
            "p95 s",
            "p99 s",
            "tmpl-run",
            "hit%"));
    for (SimResult r : results) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-28s %6d %9.3f %9.2f %9.2f %9.2f %9.2f %8d %6.1f%n",
              r.policy(),
              r.completed(),
              r.throughputRps(),
              r.meanMs() / 1000,
              r.p50Ms() / 1000,
              r.p95Ms() / 1000,
              r.p99Ms() / 1000,
              r.templateRuns(),
              100 * r.hitRatio()));
    }
    Double p95 = reduction(true);
    if (p95 != null)
      b.append(
          String.format(
              Locale.ROOT,
              "%ncost vs fewest-requests: P95 %.1f%% lower, mean %.1f%% lower%n",
              100 * p95,
              100 * reduction(false)));
    for (Map.Entry<String, Map<String, Double>> e : batchingRatios().entrySet())
      b.append(
          String.format(
              Locale.ROOT,
              "static/continuous (%s): mean latency %.2fx, p95 %.2fx; throughput"
                  + " continuous/static %.2fx%n",
              e.getKey(),
              e.getValue().get("mean_static_over_continuous"),
              e.getValue().get("p95_static_over_continuous"),
              e.getValue().get("throughput_continuous_over_static")));
    for (Map.Entry<String, Map<String, Double>> e : staticRatios().entrySet())
      b.append(
          String.format(
              Locale.ROOT,
              "%s vs static: mean latency static/it %.2fx, p95 it/static %.2fx, throughput"
                  + " it/static %.2fx%n",
              e.getKey(),
              e.getValue().get("mean_static_over"),
              e.getValue().get("p95_over_static"),
              e.getValue().get("throughput_over_static")));
    return b.toString();
  }

  public Map<String, Object> json(List<Path> plots) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workers", config.workers());
    m.put("max_batch", config.maxBatch());
    m.put("image_tokens", config.model().imageTokens());
    m.put("depth", config.model().depth());
    m.put("branches", config.branches());
    m.put("memory_bytes", config.memoryBytes());
    m.put("disk_bytes", config.diskBytes());
    m.put("workload", workload);
    m.put("mean_masked_tokens", meanMaskedTokens);
    m.put("compute_fit_ms_per_block", config.costs().compute().toString());
    m.put("rate_rps", rateRps);
    m.put("capacity_rps", capacityRps);
    Map<String, Object> per = new LinkedHashMap<>();
    for (SimResult r : results) per.put(r.policy(), r.json());
    m.put("policies", per);
    m.put("p95_reduction_cost_vs_fewest_requests", reduction(true));
    m.put("mean_reduction_cost_vs_fewest_requests", reduction(false));
    m.put("batching_ratios", batchingRatios());
    m.put("static_ratios", staticRatios());
    if (!sweep.isEmpty()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Map.Entry<Double, List<SimResult>> e : sweep.entrySet()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rate_rps", e.getKey());
        Map<String, Object> ps = new LinkedHashMap<>();
        for (SimResult r : e.getValue()) ps.put(r.policy(), r.json());
        row.put("policies", ps);
        rows.add(row);
      }
      m.put("sweep", rows);
    }
    m.put("plots", plots.stream().map(Path::toString).toList());
    return m;
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.3g GiB", bytes / (double) (1L << 30));
  }
}
