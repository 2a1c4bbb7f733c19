package io.instgenie.cli;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.util.Percentiles;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.Workload;
import io.instgenie.verticles.policy.Scheduling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * {@code bench serve --scheduling static,fcfs,srpt[,edf] [--load F]}: static batching's capacity
 * measured first with a burst, then the same open-loop arrivals at {@code F} × that capacity for
 * every mode; per mode latency, throughput, the ETA's relative error (first ETA an edit's events
 * carried, against its completion) and, with an interactive/batch mix, each class's mean latency
 * and the interactive edits' mean on an otherwise idle service.
 */
final class ScheduleBench {
  private final BenchServeCommand o;

  ScheduleBench(BenchServeCommand options) {
    this.o = options;
  }

  int run() throws Exception {
    if (o.requests < 1 || o.templates < 1 || Arrays.stream(o.steps).anyMatch(x -> x < 1))
      throw new IllegalArgumentException("--requests, --steps and --templates must be positive");
    if (o.interactive < 0 || o.interactive > 1)
      throw new IllegalArgumentException("--interactive must be a fraction from 0 to 1");
    if (o.load != null && !(o.load > 0)) throw new IllegalArgumentException("--load must be > 0");
    List<String> modes = new ArrayList<>();
    for (String m : o.scheduling) {
      String n = m.trim().toLowerCase(Locale.ROOT);
      if (!n.equals("static")) Scheduling.parse(n); // a clear error for an unknown name
      if (!modes.contains(n)) modes.add(n);
    }
    DitModel model = DitModel.random(Presets.byName(o.preset), 0);
    // a discarded warm-up run, so no measured mode pays the JIT and first-use costs
    new ServeBench()
        .run(model, config("fcfs"), arrivals(model, 1000, Math.min(16, o.requests)), o.templates);
    double capacity = Double.NaN;
    double rate = o.rate;
    if (o.load != null) {
      // a burst: every request at once, static batching; its throughput is the capacity
      ServeBench.Stats burst =
          new ServeBench()
              .run(model, config("static"), arrivals(model, 1e6, o.requests), o.templates);
      capacity = burst.throughputRps();
      rate = o.load * capacity;
    }
    List<Workload.Arrival> arrivals = arrivals(model, rate, o.requests);
    boolean[] batch = classes(arrivals.size());
    IntFunction<String> priority = i -> batch[i] ? "batch" : "interactive";
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rate_rps", rate);
    json.put("load", o.load);
    json.put("capacity_rps", capacity);
    json.put("requests", o.requests);
    json.put("steps", o.steps);
    json.put("interactive_fraction", o.interactive);
    Map<String, ServeBench.Stats> out = new LinkedHashMap<>();
    for (String m : modes) {
      ServeBench.Stats s =
          new ServeBench().priorities(priority).run(model, config(m), arrivals, o.templates);
      out.put(m, s);
      json.put(m, modeJson(s, batch, capacity));
    }
    if (o.interactive < 1) {
      // the interactive edits alone, same arrival times: their latency on an idle service
      List<Workload.Arrival> alone = new ArrayList<>();
      for (int i = 0; i < arrivals.size(); i++) if (!batch[i]) alone.add(arrivals.get(i));
      String m = modes.contains("srpt") ? "srpt" : modes.get(modes.size() - 1);
      ServeBench.Stats idle = new ServeBench().run(model, config(m), alone, o.templates);
      json.put("interactive_idle_mean_ms", idle.meanMs());
    }
    if (o.json) System.out.println(ModelFiles.toJson(json));
    else System.out.print(table(out, rate, capacity, json));
    return 0;
  }

  private ServiceConfig config(String mode) {
    Map<String, String> v = new HashMap<>();
    v.put("cache", "on");
    if (mode.equals("static")) {
      v.put("batching", "static");
    } else {
      v.put("batching", "continuous");
      v.put("scheduling", mode);
    }
    return ServeBench.benchConfig(o.maxBatch, v);
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
        List.of("a red circle", "a blue square", "a small green star", "a yellow triangle"),
        o.steps);
  }

  /** Seeded: true for a batch-class request. */
  private boolean[] classes(int n) {
    Random rnd = new Random(o.seed ^ 0xC1A55L);
    boolean[] batch = new boolean[n];
    for (int i = 0; i < n; i++) batch[i] = rnd.nextDouble() >= o.interactive;
    return batch;
  }

  private static Map<String, Object> modeJson(ServeBench.Stats s, boolean[] batch, double cap) {
    Map<String, Object> m = BenchServeCommand.toJson(s);
    m.put("capacity_rps", cap);
    List<Double> err = new ArrayList<>();
    double[] sum = new double[2];
    int[] count = new int[2];
    for (ServeBench.Sample x : s.samples()) {
      if (!Double.isNaN(x.etaRelError())) err.add(x.etaRelError());
      int k = batch[x.index()] ? 1 : 0;
      sum[k] += x.latencyMs();
      count[k]++;
    }
    double[] e = err.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    m.put("eta_error_median", e.length == 0 ? null : Percentiles.nearestRank(e, 0.5));
    m.put("eta_error_p95", e.length == 0 ? null : Percentiles.nearestRank(e, 0.95));
    m.put("eta_samples", e.length);
    m.put("interactive_mean_ms", count[0] == 0 ? null : sum[0] / count[0]);
    m.put("batch_mean_ms", count[1] == 0 ? null : sum[1] / count[1]);
    return m;
  }

  @SuppressWarnings("unchecked")
  private String table(
      Map<String, ServeBench.Stats> out, double rate, double cap, Map<String, Object> json) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "bench serve --scheduling: %s preset, %d requests at %.3f/s (static capacity %.3f/s),"
                + " steps %s, max batch %d, interactive %.2f%n%n",
            o.preset,
            o.requests,
            rate,
            cap,
            Arrays.toString(o.steps),
            o.maxBatch,
            o.interactive));
    b.append(
        String.format(
            Locale.ROOT,
            "%-8s %9s %7s %10s %10s %12s %10s %10s %12s%n",
            "mode",
            "completed",
            "failed",
            "mean ms",
            "p95 ms",
            "throughput/s",
            "eta err50",
            "eta err95",
            "interact ms"));
    for (var e : out.entrySet()) {
      ServeBench.Stats s = e.getValue();
      Map<String, Object> m = (Map<String, Object>) json.get(e.getKey());
      b.append(
          String.format(
              Locale.ROOT,
              "%-8s %9d %7d %10.0f %10.0f %12.3f %10s %10s %12s%n",
              e.getKey(),
              s.completed(),
              s.failed(),
              s.meanMs(),
              s.p95Ms(),
              s.throughputRps(),
              fmt(m.get("eta_error_median")),
              fmt(m.get("eta_error_p95")),
              fmt(m.get("interactive_mean_ms"))));
    }
    ServeBench.Stats st = out.get("static");
    if (st != null)
      for (var e : out.entrySet())
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
    if (json.containsKey("interactive_idle_mean_ms"))
      b.append(
          String.format(
              Locale.ROOT,
              "interactive alone (idle service): mean %.0f ms%n",
              (Double) json.get("interactive_idle_mean_ms")));
    return b.toString();
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3g", ((Number) v).doubleValue());
  }
}
