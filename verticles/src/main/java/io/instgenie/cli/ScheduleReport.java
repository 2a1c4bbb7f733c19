package io.instgenie.cli;

import io.instgenie.kernels.util.Percentiles;
import io.instgenie.verticles.bench.E2ePlots;
import io.instgenie.verticles.bench.ServeBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code bench serve --scheduling} prints: per load and mode the latency, throughput, ETA
 * error and class means, as a table or JSON (one object per mode name; with several loads, a {@code
 * loads} list of such objects), and the latency-vs-load plot per policy.
 */
final class ScheduleReport {
  /** One load's results. */
  private record Point(
      Double load,
      double rate,
      Map<String, ServeBench.Stats> stats,
      Map<String, Map<String, Object>> json) {}

  private final BenchServeCommand o;
  private final List<String> modes;
  private final List<Point> points = new ArrayList<>();

  ScheduleReport(BenchServeCommand options, List<String> modes) {
    this.o = options;
    this.modes = modes;
  }

  /**
   * One load's runs per mode (one per repeat, pooled); {@code batch[i]}, {@code steps[i]}: arrival
   * i's class and step count.
   */
  void add(
      Double load,
      double rate,
      Map<String, List<ServeBench.Stats>> runs,
      boolean[] batch,
      int[] steps) {
    Map<String, ServeBench.Stats> stats = new LinkedHashMap<>();
    Map<String, Map<String, Object>> json = new LinkedHashMap<>();
    for (var e : runs.entrySet()) {
      ServeBench.Stats pooled = ServeBench.Stats.pooled(e.getValue());
      stats.put(e.getKey(), pooled);
      Map<String, Object> m = modeJson(pooled, batch, steps);
      if (e.getValue().size() > 1) {
        m.put("runs_mean_ms", e.getValue().stream().map(ServeBench.Stats::meanMs).toList());
        m.put("runs_p95_ms", e.getValue().stream().map(ServeBench.Stats::p95Ms).toList());
      }
      json.put(e.getKey(), m);
    }
    points.add(new Point(load, rate, stats, json));
  }

  /**
   * The whole run: sizes first, then per mode (one load) or per load (several); {@code idleRuns}:
   * each repeat's interactive edits alone (empty: not measured).
   */
  Map<String, Object> json(
      double capacity, List<Double> capacityRuns, List<Double> idleRuns, double elapsedS) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", o.preset);
    m.put("requests", o.requests);
    m.put("templates", o.templates);
    m.put("max_batch", o.maxBatch);
    m.put("steps", o.steps);
    m.put("interactive_fraction", o.interactive);
    m.put("repeat", o.repeat);
    m.put("capacity_rps", capacity);
    if (capacityRuns.size() > 1) m.put("capacity_rps_runs", capacityRuns);
    if (points.size() == 1) {
      m.putAll(pointJson(points.get(0), capacity));
    } else {
      List<Map<String, Object>> loads = new ArrayList<>();
      for (Point p : points) loads.add(pointJson(p, capacity));
      m.put("loads", loads);
    }
    if (!idleRuns.isEmpty()) {
      m.put("interactive_idle_mean_ms", mean(idleRuns));
      m.put("interactive_idle_runs_ms", idleRuns);
    }
    m.put("elapsed_s", elapsedS);
    return m;
  }

  private static Map<String, Object> pointJson(Point p, double capacity) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("load", p.load());
    m.put("rate_rps", p.rate());
    for (var e : p.json().entrySet()) {
      Map<String, Object> mode = new LinkedHashMap<>(e.getValue());
      mode.put("capacity_rps", capacity);
      m.put(e.getKey(), mode);
    }
    return m;
  }

  private static Map<String, Object> modeJson(ServeBench.Stats s, boolean[] batch, int[] steps) {
    Map<String, Object> m = BenchServeCommand.toJson(s);
    List<Double> err = new ArrayList<>();
    List<Double> signed = new ArrayList<>();
    double[] sum = new double[2];
    int[] count = new int[2];
    Map<Integer, double[]> bySteps = new TreeMap<>(); // steps -> {sum, count}
    for (ServeBench.Sample x : s.samples()) {
      if (!Double.isNaN(x.etaSignedError())) {
        err.add(x.etaRelError());
        signed.add(x.etaSignedError());
      }
      int k = batch[x.index()] ? 1 : 0;
      sum[k] += x.latencyMs();
      count[k]++;
      double[] b = bySteps.computeIfAbsent(steps[x.index()], n -> new double[2]);
      b[0] += x.latencyMs();
      b[1]++;
    }
    double[] e = err.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    m.put("eta_error_median", e.length == 0 ? null : Percentiles.nearestRank(e, 0.5));
    m.put("eta_error_p95", e.length == 0 ? null : Percentiles.nearestRank(e, 0.95));
    // which way the ETAs miss: negative when they are optimistic (arrivals after an edit's first
    // event, which no projection of the present queue can know, delay it)
    double[] bias = signed.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    m.put("eta_bias_median", bias.length == 0 ? null : Percentiles.nearestRank(bias, 0.5));
    m.put("eta_samples", e.length);
    m.put("interactive_mean_ms", count[0] == 0 ? null : sum[0] / count[0]);
    m.put("batch_mean_ms", count[1] == 0 ? null : sum[1] / count[1]);
    Map<String, Double> meanBySteps = new LinkedHashMap<>();
    bySteps.forEach((n, b) -> meanBySteps.put(String.valueOf(n), b[0] / b[1]));
    m.put("mean_ms_by_steps", meanBySteps);
    return m;
  }

  /** Mean (line) and P95 (dashed) latency against load, one colour per mode. */
  void plot(Path file) {
    List<E2ePlots.Series> series = new ArrayList<>();
    for (int i = 0; i < modes.size(); i++) {
      String mode = modes.get(i);
      double[] x = new double[points.size()];
      double[] mean = new double[points.size()];
      double[] p95 = new double[points.size()];
      for (int k = 0; k < points.size(); k++) {
        ServeBench.Stats s = points.get(k).stats().get(mode);
        x[k] = points.get(k).load();
        mean[k] = s.meanMs();
        p95[k] = s.p95Ms();
      }
      series.add(
          new E2ePlots.Series(mode + " mean", x, mean, E2ePlots.Style.LINE, E2ePlots.colour(i)));
      series.add(
          new E2ePlots.Series(mode + " p95", x, p95, E2ePlots.Style.DASHED, E2ePlots.colour(i)));
    }
    E2ePlots.write(
        file,
        String.format(
            Locale.ROOT,
            "bench serve: latency vs load (%s preset, %d requests, steps %s)",
            o.preset,
            o.requests,
            Arrays.toString(o.steps)),
        "load (fraction of static batching's capacity)",
        "latency (ms)",
        series);
  }

  /** The mean; NaN for none. */
  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  String table(double cap, List<Double> idleRuns, double elapsedS) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "bench serve --scheduling: %s preset, %d requests per mode and load (x %d repeats,"
                + " pooled), %d templates, steps %s, max batch %d, interactive %.2f; static"
                + " capacity %.3f/s; %.0f s in all%n",
            o.preset,
            o.requests,
            o.repeat,
            o.templates,
            Arrays.toString(o.steps),
            o.maxBatch,
            o.interactive,
            cap,
            elapsedS));
    for (Point p : points) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nload %s: %.3f arrivals/s%n",
              p.load() == null ? "-" : p.load(),
              p.rate()));
      b.append(
          String.format(
              Locale.ROOT,
              "%-8s %9s %7s %10s %10s %12s %10s %10s %10s %12s%n",
              "mode",
              "completed",
              "failed",
              "mean ms",
              "p95 ms",
              "throughput/s",
              "eta err50",
              "eta err95",
              "eta bias50",
              "interact ms"));
      for (var e : p.stats().entrySet()) {
        ServeBench.Stats s = e.getValue();
        Map<String, Object> m = p.json().get(e.getKey());
        b.append(
            String.format(
                Locale.ROOT,
                "%-8s %9d %7d %10.0f %10.0f %12.3f %10s %10s %10s %12s%n",
                e.getKey(),
                s.completed(),
                s.failed(),
                s.meanMs(),
                s.p95Ms(),
                s.throughputRps(),
                fmt(m.get("eta_error_median")),
                fmt(m.get("eta_error_p95")),
                fmt(m.get("eta_bias_median")),
                fmt(m.get("interactive_mean_ms"))));
      }
      ServeBench.Stats st = p.stats().get("static");
      if (st != null)
        for (var e : p.stats().entrySet())
          if (!e.getKey().equals("static"))
            b.append(
                String.format(
                    Locale.ROOT,
                    "%s vs static: mean latency static/it %.2fx, p95 it/static %.2fx, throughput"
                        + " it/static %.2fx%n",
                    e.getKey(),
                    st.meanMs() / e.getValue().meanMs(),
                    e.getValue().p95Ms() / st.p95Ms(),
                    e.getValue().throughputRps() / st.throughputRps()));
    }
    if (!idleRuns.isEmpty())
      b.append(
          String.format(
              Locale.ROOT, "%ninteractive alone (idle service): mean %.0f ms%n", mean(idleRuns)));
    return b.toString();
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3g", ((Number) v).doubleValue());
  }
}
