package io.instgenie.cli;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.Workload;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code instgenie bench serve}: continuous vs static batching on the same open-loop arrivals. */
@Command(
    name = "serve",
    description = "Open-loop load on an in-process service: continuous vs static batching.")
final class BenchServeCommand implements Callable<Integer> {
  @Option(names = "--rate", defaultValue = "0.5", description = "Arrivals per second (Poisson).")
  double rate;

  @Option(
      names = "--requests",
      description = "Edits per run (default 48; with --scheduling 96 per mode and load).")
  Integer requests;

  @Option(
      names = "--steps",
      defaultValue = "10",
      split = ",",
      description = "Step counts, drawn uniformly per request (e.g. 10 or 5,10,20,40).")
  int[] steps;

  @Option(names = "--templates", defaultValue = "4")
  int templates;

  @Option(names = "--max-batch", defaultValue = "8")
  int maxBatch;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--preset",
      description =
          "Model architecture, random weights (default bench; with --scheduling shapes, so the"
              + " four modes finish in minutes on two cores).")
  String preset;

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--order",
      defaultValue = "continuous,static",
      split = ",",
      description = "Which modes run, in this order (to check for order effects).")
  List<String> order;

  @Option(
      names = "--scheduling",
      split = ",",
      description =
          "Step policies to compare instead of --order: static (request-level batching), fcfs,"
              + " srpt, edf (continuous batching scheduled so), on the same arrivals; a policy"
              + " with a row budget after a colon (srpt:320) runs with max_step_tokens so.")
  List<String> scheduling;

  @Option(
      names = "--load",
      split = ",",
      description =
          "With --scheduling: the arrival rate as this fraction of static batching's capacity,"
              + " measured first with a burst of --requests edits (instead of --rate); several"
              + " (0.5,0.7,0.9) run every mode at each.")
  List<Double> load;

  @Option(
      names = "--plot",
      description = "With --scheduling and --load: a PNG of mean and P95 latency against load.")
  String plot;

  @Option(
      names = "--interactive",
      defaultValue = "1",
      description =
          "With --scheduling: fraction of requests sent with priority interactive (seeded); the"
              + " rest batch. Below 1, an idle run of the interactive ones is measured too.")
  double interactive;

  @Option(
      names = "--repeat",
      defaultValue = "1",
      description =
          "With --scheduling: the whole comparison this many times (a new burst each time, then"
              + " every mode); each mode's figures pool the edits of all repeats, and each"
              + " repeat's means are listed too (a noisy machine moves single runs by tens of %%).")
  int repeat;

  @Override
  public Integer call() throws Exception {
    boolean scheduled = scheduling != null && !scheduling.isEmpty();
    if (preset == null) preset = scheduled ? "shapes" : "bench";
    if (requests == null) requests = scheduled ? 96 : 48;
    if (scheduled) return new ScheduleBench(this).run();
    if (load != null || plot != null)
      throw new IllegalArgumentException("--load and --plot go with --scheduling");
    if (rate <= 0 || requests < 1 || Arrays.stream(steps).anyMatch(x -> x < 1) || templates < 1) {
      throw new IllegalArgumentException(
          "--rate, --requests, --steps and --templates must be positive");
    }
    // every mode named before any work, so a wrong one costs no run
    Map<String, ServiceConfig> modes = new LinkedHashMap<>();
    for (String mode : order) {
      String name = mode.trim().toLowerCase(Locale.ROOT);
      modes.put(
          name,
          switch (name) {
            case "continuous" -> config(ServiceConfig.Batching.CONTINUOUS, true);
            case "static" -> config(ServiceConfig.Batching.STATIC, true);
            // the Diffusers-style server: every token recomputed, request-level batches
            case "baseline" -> config(ServiceConfig.Batching.STATIC, false);
            default ->
                throw new IllegalArgumentException(
                    "--order takes continuous, static and baseline, got " + mode);
          });
    }
    if (!modes.containsKey("continuous") || !modes.containsKey("static"))
      throw new IllegalArgumentException("--order must name continuous and static");
    DitModel model = DitModel.random(Presets.byName(preset), 0);
    var c = model.config();
    List<Workload.Arrival> arrivals =
        Workload.generate(
            seed,
            requests,
            rate,
            templates,
            c.imageSize(),
            c.patchSize(),
            1.3,
            5.5,
            WorkloadTrace.PROMPTS,
            steps);
    double meanRatio =
        arrivals.stream().mapToDouble(Workload.Arrival::maskRatio).average().orElse(0);
    Map<String, ServeBench.Stats> out = new LinkedHashMap<>();
    // a discarded warm-up run, so neither measured mode pays the JIT and first-use costs
    new ServeBench()
        .run(
            model,
            config(ServiceConfig.Batching.CONTINUOUS, true),
            arrivals.subList(0, Math.min(16, requests)),
            templates);
    for (var mode : modes.entrySet())
      out.put(mode.getKey(), new ServeBench().run(model, mode.getValue(), arrivals, templates));
    ServeBench.Stats base = out.get("baseline");
    ServeBench.Stats cont = out.get("continuous");
    ServeBench.Stats stat = out.get("static");
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rate_rps", rate);
      m.put("requests", requests);
      m.put("steps", steps);
      m.put("mean_steps", arrivals.stream().mapToInt(Workload.Arrival::steps).average().orElse(0));
      m.put("mean_mask_ratio", meanRatio);
      for (var e : out.entrySet()) m.put(e.getKey(), toJson(e.getValue()));
      m.put("mean_latency_ratio", stat.meanMs() / cont.meanMs());
      m.put("p95_latency_ratio", stat.p95Ms() / cont.p95Ms());
      m.put("throughput_ratio", cont.throughputRps() / stat.throughputRps());
      if (base != null) {
        m.put("baseline_mean_latency_ratio", base.meanMs() / cont.meanMs());
        m.put("baseline_throughput_ratio", cont.throughputRps() / base.throughputRps());
      }
      System.out.println(ModelFiles.toJson(m));
    } else {
      System.out.printf(
          "bench serve: %s preset, %d requests at %.2f/s (Poisson), steps %s, mean mask ratio %.3f, max batch %d%n%n",
          preset, requests, rate, Arrays.toString(steps), meanRatio, maxBatch);
      System.out.printf(
          "%-11s %9s %7s %10s %10s %12s %14s%n",
          "batching", "completed", "failed", "mean ms", "p95 ms", "throughput/s", "step overhead");
      for (var e : out.entrySet()) {
        ServeBench.Stats s = e.getValue();
        System.out.printf(
            "%-11s %9d %7d %10.0f %10.0f %12.3f %11.2f ms%n",
            e.getKey(),
            s.completed(),
            s.failed(),
            s.meanMs(),
            s.p95Ms(),
            s.throughputRps(),
            s.meanStepOverheadMs());
      }
      System.out.printf(
          "%nstatic/continuous: mean latency %.2fx, p95 %.2fx; throughput continuous/static %.2fx%n",
          stat.meanMs() / cont.meanMs(),
          stat.p95Ms() / cont.p95Ms(),
          cont.throughputRps() / stat.throughputRps());
      if (base != null) {
        System.out.printf(
            "baseline (full recompute, static)/continuous: mean latency %.2fx, p95 %.2fx; throughput continuous/baseline %.2fx%n",
            base.meanMs() / cont.meanMs(),
            base.p95Ms() / cont.p95Ms(),
            cont.throughputRps() / base.throughputRps());
      }
    }
    return 0;
  }

  private ServiceConfig config(ServiceConfig.Batching b, boolean cache) {
    return ServeBench.benchConfig(
        maxBatch,
        Map.of("batching", b.name().toLowerCase(Locale.ROOT), "cache", cache ? "on" : "off"));
  }

  static Map<String, Object> toJson(ServeBench.Stats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean_ms", s.meanMs());
    m.put("p95_ms", s.p95Ms());
    m.put("throughput_rps", s.throughputRps());
    m.put("completed", s.completed());
    m.put("failed", s.failed());
    m.put("mean_queue_ms", s.meanQueueMs());
    m.put("mean_step_overhead_ms", s.meanStepOverheadMs());
    return m;
  }
}
