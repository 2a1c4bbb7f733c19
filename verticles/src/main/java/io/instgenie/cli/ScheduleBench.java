package io.instgenie.cli;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.Workload;
import io.instgenie.verticles.policy.Scheduling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * {@code bench serve --scheduling static,fcfs,srpt[,edf] [--load F[,F...]]}: static batching's
 * capacity measured first with a burst, then, per load, the same open-loop arrivals at {@code F} ×
 * that capacity for every mode; per mode latency, throughput, the ETA's relative error (the ETA of
 * an edit's first {@code queued} event, against its completion) and, with an interactive/batch mix,
 * each class's mean latency and the interactive edits' mean on an otherwise idle service. Progress
 * goes to stderr, the table or JSON to stdout ({@link ScheduleReport}).
 */
final class ScheduleBench {
  /** Arrivals of the discarded warm-up run (JIT, first-use costs). */
  private static final int WARM_UP = 8;

  private final BenchServeCommand o;
  private final long started = System.nanoTime();

  ScheduleBench(BenchServeCommand options) {
    this.o = options;
  }

  int run() throws Exception {
    if (o.requests < 1 || o.templates < 1 || Arrays.stream(o.steps).anyMatch(x -> x < 1))
      throw new IllegalArgumentException("--requests, --steps and --templates must be positive");
    if (o.interactive < 0 || o.interactive > 1)
      throw new IllegalArgumentException("--interactive must be a fraction from 0 to 1");
    List<Double> loads = o.load == null ? Collections.singletonList(null) : o.load;
    for (Double l : loads)
      if (l != null && !(l > 0)) throw new IllegalArgumentException("--load must be > 0");
    if (o.repeat < 1) throw new IllegalArgumentException("--repeat must be at least 1");
    if (o.plot != null && o.load == null)
      throw new IllegalArgumentException("--plot draws latency against --load: give --load");
    List<String> modes = new ArrayList<>();
    for (String m : o.scheduling) {
      String n = m.trim().toLowerCase(Locale.ROOT);
      // a clear error for an unknown name or a bad row budget ("srpt:320": max_step_tokens 320)
      if (!n.equals("static")) stepRows(n, Scheduling.parse(n.split(":", 2)[0]));
      if (!modes.contains(n)) modes.add(n);
    }
    DitModel model = DitModel.random(Presets.byName(o.preset), 0);
    ScheduleReport report = new ScheduleReport(o, modes);
    progress("warm-up (%d edits, discarded)", Math.min(WARM_UP, o.requests));
    new ServeBench()
        .run(
            model,
            config("fcfs"),
            arrivals(model, 1000, Math.min(WARM_UP, o.requests)),
            o.templates);
    boolean[] batch = classes(o.requests);
    IntFunction<String> priority = i -> batch[i] ? "batch" : "interactive";
    List<Workload.Arrival> first = null;
    List<Double> capacities = new ArrayList<>();
    List<Double> idleRuns = new ArrayList<>();
    // per load, per mode: one Stats per repeat; the arrivals' step counts and classes are the same
    // in every repeat (same seed), only their times follow each repeat's capacity
    List<Map<String, List<ServeBench.Stats>>> runs = new ArrayList<>();
    for (Double ignored : loads) runs.add(new LinkedHashMap<>());
    for (int r = 1; r <= o.repeat; r++) {
      double capacity = Double.NaN;
      if (o.load != null) {
        // a burst: every request at once, static batching; its throughput is the capacity
        progress("capacity (repeat %d of %d): a burst of %d edits", r, o.repeat, o.requests);
        ServeBench.Stats burst =
            new ServeBench()
                .run(model, config("static"), arrivals(model, 1e6, o.requests), o.templates);
        capacity = burst.throughputRps();
        capacities.add(capacity);
      }
      for (int li = 0; li < loads.size(); li++) {
        Double load = loads.get(li);
        double rate = load == null ? o.rate : load * capacity;
        List<Workload.Arrival> arrivals = arrivals(model, rate, o.requests);
        if (first == null) first = arrivals;
        for (String m : modes) {
          progress("%s at %.3f/s (load %s): %d edits", m, rate, load, o.requests);
          ServeBench.Stats st =
              new ServeBench().priorities(priority).run(model, config(m), arrivals, o.templates);
          runs.get(li).computeIfAbsent(m, k -> new ArrayList<>()).add(st);
        }
      }
      // every repeat measures the idle figure too, right after its modes: the same edits alone
      // took 89-189 ms in runs minutes apart, so one measurement is no yardstick
      if (o.interactive < 1) {
        Double idle = idleInteractive(model, modes, first, batch, capacity);
        if (idle != null) idleRuns.add(idle);
      }
    }
    double capacity = ScheduleReport.mean(capacities); // NaN without --load
    int[] steps = first.stream().mapToInt(Workload.Arrival::steps).toArray();
    for (int li = 0; li < loads.size(); li++) {
      Double load = loads.get(li);
      // the mean of the repeats' rates: load × each repeat's capacity
      report.add(load, load == null ? o.rate : load * capacity, runs.get(li), batch, steps);
    }
    Map<String, Object> json = report.json(capacity, capacities, idleRuns, elapsedS());
    if (o.plot != null) {
      report.plot(Path.of(o.plot));
      progress("plot written to %s", o.plot);
    }
    if (o.json) System.out.println(ModelFiles.toJson(json));
    else System.out.print(report.table(capacity, idleRuns, elapsedS()));
    return 0;
  }

  /**
   * The interactive edits of the first load's arrivals alone, on an idle service: spaced two
   * static-batching service times apart (1/capacity each, this repeat's) when the capacity is
   * known, so they barely overlap and the run is short; else at their own arrival times.
   */
  private Double idleInteractive(
      DitModel model,
      List<String> modes,
      List<Workload.Arrival> arrivals,
      boolean[] batch,
      double capacity) {
    List<Workload.Arrival> alone = new ArrayList<>();
    long gapMs = Double.isNaN(capacity) ? -1 : Math.round(2000 / capacity);
    for (int i = 0; i < arrivals.size(); i++) {
      if (batch[i]) continue;
      Workload.Arrival a = arrivals.get(i);
      long at = gapMs < 0 ? a.atMs() : alone.size() * gapMs;
      alone.add(
          new Workload.Arrival(
              at, a.template(), a.maskPng(), a.maskRatio(), a.seed(), a.prompt(), a.steps()));
    }
    if (alone.isEmpty()) return null;
    String m = modes.contains("srpt") ? "srpt" : modes.get(modes.size() - 1);
    progress("interactive edits alone (%d, %s, idle service)", alone.size(), m);
    try {
      return new ServeBench().run(model, config(m), alone, o.templates).meanMs();
    } catch (Exception e) {
      throw new IllegalStateException("the idle interactive run failed: " + e, e);
    }
  }

  private ServiceConfig config(String mode) {
    Map<String, String> v = new HashMap<>();
    v.put("cache", "on");
    if (mode.equals("static")) {
      v.put("batching", "static");
    } else {
      v.put("batching", "continuous");
      String policy = mode.split(":", 2)[0];
      v.put("scheduling", policy);
      int rows = stepRows(mode, Scheduling.parse(policy));
      if (rows > 0) v.put("max_step_tokens", String.valueOf(rows));
    }
    return ServeBench.benchConfig(o.maxBatch, v);
  }

  /** The row budget a mode name carries after a colon (0: none named), checked. */
  private static int stepRows(String mode, Scheduling policy) {
    String[] parts = mode.split(":", 2);
    if (parts.length < 2) return 0;
    try {
      int rows = Integer.parseInt(parts[1]);
      if (rows > 0) return rows;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "a mode's row budget must be a positive whole number of rows ("
            + policy.name().toLowerCase(Locale.ROOT)
            + ":320), got '"
            + mode
            + "'");
  }

  private List<Workload.Arrival> arrivals(DitModel model, double rate, int n) {
    var c = model.config();
    return Workload.generate(
        o.seed,
        n,
        rate,
        o.templates,
        c.imageSize(),
        c.patchSize(),
        1.3,
        5.5,
        // words of every preset's vocabulary (shapes has no "small")
        List.of("a red circle", "a blue square", "a green star", "a yellow triangle"),
        o.steps);
  }

  /** Seeded: true for a batch-class request. */
  private boolean[] classes(int n) {
    Random rnd = new Random(o.seed ^ 0xC1A55L);
    boolean[] batch = new boolean[n];
    for (int i = 0; i < n; i++) batch[i] = rnd.nextDouble() >= o.interactive;
    return batch;
  }

  private double elapsedS() {
    return (System.nanoTime() - started) / 1e9;
  }

  private void progress(String format, Object... args) {
    System.err.printf(
        Locale.ROOT,
        "[bench serve %5.0f s] %s%n",
        elapsedS(),
        String.format(Locale.ROOT, format, args));
  }
}
