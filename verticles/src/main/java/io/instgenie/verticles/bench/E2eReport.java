package io.instgenie.verticles.bench;

import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.verticles.bench.E2eBench.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table, JSON and plots of {@code bench e2e}, from its measurements. */
public final class E2eReport {
  private E2eReport() {}

  /** Per rate, one row per mode, then each other mode against the baseline. */
  public static String table(List<E2eBench.RateResult> results) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-7s %-8s %-13s %5s %5s %8s %9s %9s %9s %6s%n",
            "rate/s",
            "offered",
            "mode",
            "done",
            "fail",
            "thru/s",
            "mean ms",
            "p95 ms",
            "queue ms",
            "batch"));
    for (E2eBench.RateResult r : results) {
      for (var e : r.modes().entrySet()) {
        ServeBench.Stats s = e.getValue();
        out.append(
            String.format(
                Locale.ROOT,
                "%-7.3f %-8.3f %-13s %5d %5d %8.3f %9.0f %9.0f %9.0f %6.2f%n",
                r.rateRps(),
                r.offeredRps(),
                e.getKey().key(),
                s.completed(),
                s.failed(),
                s.throughputRps(),
                s.meanMs(),
                s.p95Ms(),
                s.meanQueueMs(),
                s.meanBatchSize()));
      }
      ServeBench.Stats base = r.modes().get(Mode.BASELINE);
      for (var e : r.modes().entrySet()) {
        if (base == null || e.getKey() == Mode.BASELINE) continue;
        ServeBench.Stats s = e.getValue();
        out.append(
            String.format(
                Locale.ROOT,
                "        %s/baseline: throughput %.2fx; latency %.2fx lower (mean), %.2fx (p95);"
                    + " queueing %.1fx lower%n",
                e.getKey().key(),
                s.throughputRps() / base.throughputRps(),
                base.meanMs() / s.meanMs(),
                base.p95Ms() / s.p95Ms(),
                base.meanQueueMs() / Math.max(1, s.meanQueueMs())));
      }
    }
    return out.toString();
  }

  /**
   * Each mode's capacity against the baseline's, then the table of the run at the baseline's
   * capacity (its saturation rate).
   */
  public static String saturationTable(E2eBench.Saturation sat) {
    StringBuilder out = new StringBuilder("\ncapacity (all requests at once: completed/s)\n");
    double base = sat.capacityRps().get(Mode.BASELINE);
    for (var e : sat.capacityRps().entrySet()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-13s %8.3f/s  %.2fx the baseline%n",
              e.getKey().key(),
              e.getValue(),
              e.getValue() / base));
    }
    out.append(String.format(Locale.ROOT, "%nat the baseline's saturation rate (%.3f/s)%n", base));
    out.append(table(List.of(sat.atBaselineCapacity())));
    return out.toString();
  }

  /**
   * {@code capacity_rps} and {@code capacity_ratio} per mode (against the baseline), and {@code
   * at_baseline_capacity}: the run at that rate, keyed as one entry of {@code rates}.
   */
  public static Map<String, Object> saturationJson(E2eBench.Saturation sat) {
    Map<String, Object> out = new LinkedHashMap<>();
    double base = sat.capacityRps().get(Mode.BASELINE);
    Map<String, Object> capacity = new LinkedHashMap<>();
    Map<String, Object> ratio = new LinkedHashMap<>();
    for (var e : sat.capacityRps().entrySet()) {
      capacity.put(e.getKey().key(), e.getValue());
      ratio.put(e.getKey().key(), e.getValue() / base);
    }
    out.put("capacity_rps", capacity);
    out.put("capacity_ratio", ratio);
    out.put("at_baseline_capacity", rateJson(sat.atBaselineCapacity()));
    return out;
  }

  /** The engine figures behind the plots: images/s per batch size and speedup per mask ratio. */
  public static String engineTable(EngineBench.Result engine, int branches, List<Integer> steps) {
    double meanSteps = steps.stream().mapToInt(Integer::intValue).average().orElse(1);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%nengine (%s, %d sequences per request, %.0f steps): images/s of one worker by batch%n",
            engine.backend(),
            branches,
            meanSteps));
    out.append(String.format(Locale.ROOT, "%-6s %10s", "batch", "full"));
    for (double ratio : EngineBench.RATIOS) out.append(String.format(Locale.ROOT, " %9s", ratio));
    out.append('\n');
    for (EngineBench.BatchResult b : engine.batches()) {
      int requests = b.batch() / branches;
      out.append(
          String.format(
              Locale.ROOT,
              "%-6d %10.3f",
              requests,
              imagesPerSecond(requests, b.fullStepMs(), meanSteps)));
      for (double ratio : EngineBench.RATIOS) {
        double ms = b.maskedStepMs().get(String.valueOf(ratio));
        out.append(String.format(Locale.ROOT, " %9.3f", imagesPerSecond(requests, ms, meanSteps)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  static double imagesPerSecond(int requests, double stepMs, double steps) {
    return requests / (steps * stepMs / 1000);
  }

  /** {@code rates}: per rate its modes' figures and instgenie/baseline ratios; {@code engine}. */
  public static Map<String, Object> json(
      List<E2eBench.RateResult> results,
      EngineBench.Result engine,
      int branches,
      List<Integer> steps,
      double maskRatio) {
    List<Object> rates = new ArrayList<>();
    for (E2eBench.RateResult r : results) rates.add(rateJson(r));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rates", rates);
    if (engine != null) {
      double meanSteps = steps.stream().mapToInt(Integer::intValue).average().orElse(1);
      String near = nearestRatio(maskRatio);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("backend", engine.backend());
      e.put("masked_ratio", Double.parseDouble(near));
      List<Object> batches = new ArrayList<>();
      for (EngineBench.BatchResult b : engine.batches()) {
        int requests = b.batch() / branches;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch_requests", requests);
        row.put("baseline_images_per_s", imagesPerSecond(requests, b.fullStepMs(), meanSteps));
        row.put(
            "instgenie_images_per_s",
            imagesPerSecond(requests, b.maskedStepMs().get(near), meanSteps));
        batches.add(row);
      }
      e.put("throughput_by_batch", batches);
      e.put("speedup_by_mask_ratio", engine.batches().get(0).measuredSpeedup());
      e.put("flop_speedup_by_mask_ratio", engine.flopSpeedup());
      out.put("engine", e);
    }
    return out;
  }

  /** One rate: its figures per mode and each mode's ratios against the baseline. */
  private static Map<String, Object> rateJson(E2eBench.RateResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate_rps", r.rateRps());
    m.put("offered_rps", r.offeredRps());
    for (var e : r.modes().entrySet()) m.put(e.getKey().key(), stats(e.getValue()));
    ServeBench.Stats base = r.modes().get(Mode.BASELINE);
    for (var e : r.modes().entrySet()) {
      if (base == null || e.getKey() == Mode.BASELINE) continue;
      ServeBench.Stats s = e.getValue();
      Map<String, Object> ratio = new LinkedHashMap<>();
      ratio.put("throughput_ratio", s.throughputRps() / base.throughputRps());
      ratio.put("mean_latency_ratio", base.meanMs() / s.meanMs());
      ratio.put("p95_latency_ratio", base.p95Ms() / s.p95Ms());
      m.put(e.getKey().key() + "_vs_baseline", ratio);
    }
    return m;
  }

  private static Map<String, Object> stats(ServeBench.Stats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("throughput_rps", s.throughputRps());
    m.put("mean_ms", s.meanMs());
    m.put("p95_ms", s.p95Ms());
    m.put("mean_queue_ms", s.meanQueueMs());
    m.put("completed", s.completed());
    m.put("failed", s.failed());
    m.put("mean_batch_size", s.meanBatchSize());
    m.put("mean_step_overhead_ms", s.meanStepOverheadMs());
    return m;
  }

  /** The engine's measured ratio closest to {@code r}, as its key. */
  static String nearestRatio(double r) {
    double best = EngineBench.RATIOS[0];
    for (double x : EngineBench.RATIOS) if (Math.abs(x - r) < Math.abs(best - r)) best = x;
    return String.valueOf(best);
  }
}
