package io.instgenie.cli;

import io.instgenie.cache.Calibration;
import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.sim.SimConfig;
import io.instgenie.verticles.sim.SimPlots;
import io.instgenie.verticles.sim.SimReport;
import io.instgenie.verticles.sim.SimRequest;
import io.instgenie.verticles.sim.SimResult;
import io.instgenie.verticles.sim.SimWorkloads;
import io.instgenie.verticles.sim.Simulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie simulate}: the routing policies on a simulated cluster (discrete events, the
 * live batching, Algorithm 1, routers and cache eviction), on the same seeded arrivals.
 */
@Command(
    name = "simulate",
    description =
        "Simulate N denoise workers under each routing policy on one seeded workload: latency and"
            + " throughput per policy, from calibrated step costs.")
final class SimulateCommand implements Callable<Integer> {
  /** Compute per block, from `bench cache` on the project's 2-core VM (BENCHMARKS.md). */
  static final double COMPUTE_MS_PER_BLOCK = 5.276;

  static final double COMPUTE_MS_PER_GFLOP = 8.607;

  /** Cold disk reads, slope of the same calibration (its intercept, -3.8 ms, is dropped). */
  static final double DISK_MS_PER_MIB = 3.100;

  @Mixin WorkloadOptions shape = new WorkloadOptions(6000, 100, 1.0);

  @Option(names = "--workers", defaultValue = "8", description = "Denoise workers (default 8).")
  int workers;

  @Option(
      names = "--rate",
      description =
          "Requests per second (Poisson). Default: --load × the capacity of full batches of"
              + " mean-sized edits.")
  Double rate;

  @Option(
      names = "--load",
      description =
          "The default rate as a fraction of that capacity (default 0.8: near saturation, as"
              + " template runs take a share of it).")
  Double load;

  @Option(
      names = "--workload",
      paramLabel = "DIR",
      description = "A make-workload folder instead of the built-in one (--rate rescales it).")
  Path workload;

  @Option(
      names = "--policy",
      split = ",",
      description = "cost, round-robin, fewest-requests, fewest-masked-tokens (default: all).")
  List<String> policies;

  @Option(
      names = "--batching",
      split = ",",
      defaultValue = "continuous",
      description =
          "continuous, static, or both (continuous,static): every policy runs with each; static"
              + " batches take new members only when empty (default: continuous).")
  List<String> batching;

  @Option(
      names = "--scheduling",
      split = ",",
      defaultValue = "fcfs",
      description =
          "fcfs, srpt, edf, or several: each continuous run is repeated per step policy on the same"
              + " arrivals (static batches are formed first come, first served).")
  List<String> scheduling;

  @Option(
      names = "--full-steps",
      defaultValue = "0",
      description =
          "The quality knob, as the service's full_steps: an edit's first K steps (K counted at"
              + " the model's default step count, scaled to its own) compute every token"
              + " (default 0; the bundled model ships with 10).")
  int fullSteps;

  @Option(
      names = "--max-step-tokens",
      defaultValue = "0",
      description = "Rows one step may run (0 = the service's auto rule on the simulated costs).")
  int maxStepTokens;

  @Option(
      names = "--aging-steps",
      defaultValue = "" + StepPolicy.DEFAULT_AGING_STEPS,
      description = "Steps a waiting member takes to climb one priority class.")
  int agingSteps;

  @Option(
      names = "--interactive",
      defaultValue = "1",
      description =
          "Fraction of requests in the interactive class (seeded draw); the rest are batch.")
  double interactive;

  @Option(
      names = "--deadline-slack",
      defaultValue = "10",
      description =
          "Each request's deadline (edf): arrival + slack × its steps at one full-batch step's"
              + " time.")
  double deadlineSlack;

  @Option(
      names = "--preset",
      defaultValue = "bench",
      description = "Model shape: tiny, bench, scene, scene-p4.")
  String preset;

  @Option(names = "--mask-mean", defaultValue = "0.19", description = "0.11 or 0.19.")
  double maskMean;

  @Option(names = "--max-batch", description = "Default: the service's max_batch.")
  Integer maxBatch;

  @Option(names = "--memory-bytes", description = "Per worker; default: cache_memory_bytes.")
  Long memoryBytes;

  @Option(names = "--disk-bytes", description = "Per worker; default: cache_disk_bytes.")
  Long diskBytes;

  @Option(names = "--precision", defaultValue = "f32", description = "f32 or bf16 cache storage.")
  String precision;

  @Option(names = "--compute-ms-per-block", defaultValue = "" + COMPUTE_MS_PER_BLOCK)
  double msPerBlock;

  @Option(names = "--compute-ms-per-gflop", defaultValue = "" + COMPUTE_MS_PER_GFLOP)
  double msPerGflop;

  @Option(names = "--disk-ms-per-mib", defaultValue = "" + DISK_MS_PER_MIB)
  double diskMsPerMib;

  @Option(
      names = "--calibrate",
      description = "Measure the compute fit on this machine now (a random model of the preset).")
  boolean calibrate;

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--plot",
      paramLabel = "DIR",
      description = "Also sweep the rate (--sweep × capacity) and write latency-vs-rate PNGs.")
  Path plot;

  @Option(
      names = "--sweep",
      split = ",",
      defaultValue = "0.5,0.6,0.7,0.8,0.85,0.9,0.95",
      description = "Loads (fractions of capacity) of the --plot sweep.")
  List<Double> sweep;

  @Override
  public Integer call() throws Exception {
    if (rate != null && load != null)
      throw new IllegalArgumentException("--rate and --load exclude each other");
    if (load == null) load = 0.8;
    if (workers < 1 || shape.requests < 1 || !(load > 0))
      throw new IllegalArgumentException("--workers, --requests and --load must be positive");
    if (plot != null) OutputFiles.checkFolder(plot, "--plot");
    ModelConfig c = Presets.byName(preset);
    ServiceConfig d = ServiceConfig.defaults();
    LinearFit compute =
        calibrate ? measureCompute(c) : new LinearFit(msPerBlock, msPerGflop / 1e9, 1, 0);
    CostModel costs =
        new CostModel(
            compute, Map.of(TierKind.DISK, new LinearFit(0, diskMsPerMib / (1 << 20), 1, 0)));
    SimConfig config =
        new SimConfig(
            c,
            workers,
            maxBatch != null ? maxBatch : d.maxBatch(),
            c.defaultGuidance() == 1f ? 1 : 2,
            costs,
            memoryBytes != null ? memoryBytes : d.cacheMemoryBytes(),
            diskBytes != null ? diskBytes : d.cacheDiskBytes(),
            Precision.parse(precision, "--precision"),
            fullSteps);
    List<Routing> order = new ArrayList<>();
    if (policies == null || policies.isEmpty()) order.addAll(List.of(Routing.values()));
    else for (String p : policies) order.add(Routing.parse(p));

    SimArrivals base =
        workload != null
            ? SimArrivals.file(workload, preset, c)
            : SimArrivals.builtIn(shape, maskMean, c);
    int meanMasked = SimWorkloads.meanMaskedTokens(base.requests());
    int stepsMean =
        (int) Math.round(base.requests().stream().mapToInt(SimRequest::steps).average().orElse(1));
    double capacity = SimWorkloads.capacityRps(config, meanMasked, stepsMean);
    double r = rate != null ? rate : round3(load * capacity);
    if (!(r > 0)) throw new IllegalArgumentException("--rate must be positive");
    List<Boolean> modes = modes(batching);
    List<Simulator> sims = simulators(config);
    List<SimResult> results = runAll(sims, modes, order, base, r, config);

    List<Path> written = List.of();
    Map<Double, List<SimResult>> sweepResults = new LinkedHashMap<>();
    if (plot != null) {
      for (double f : sweep) {
        double fr = round3(f * capacity);
        sweepResults.put(fr, runAll(sims, modes, order, base, fr, config));
      }
      written = SimPlots.latencyVsRate(plot, workers, sweepResults, maskMean);
    }
    SimReport report =
        new SimReport(config, base.source(), r, capacity, meanMasked, results, sweepResults);
    if (json) System.out.println(ModelFiles.toJson(report.json(written)));
    else {
      System.out.print(report.table());
      for (Path p : written) System.out.println("plot: " + p);
    }
    return 0;
  }

  /** One simulator per --scheduling policy (fcfs first when static batching also runs). */
  private List<Simulator> simulators(SimConfig config) {
    if (interactive < 0 || interactive > 1)
      throw new IllegalArgumentException("--interactive must be a fraction from 0 to 1");
    if (!(deadlineSlack > 0)) throw new IllegalArgumentException("--deadline-slack must be > 0");
    if (maxStepTokens < 0) throw new IllegalArgumentException("--max-step-tokens must be >= 0");
    if (fullSteps < 0) throw new IllegalArgumentException("--full-steps must be >= 0");
    List<Simulator> sims = new ArrayList<>();
    List<Scheduling> seen = new ArrayList<>();
    for (String n : scheduling) {
      Scheduling sch = Scheduling.parse(n);
      if (seen.contains(sch)) continue;
      seen.add(sch);
      sims.add(new Simulator(config, new StepPolicy(sch, agingSteps), maxStepTokens));
    }
    return sims;
  }

  /**
   * Every policy run on the same arrivals: static batching once (its batches form first come, first
   * served), continuous batching once per step policy.
   */
  private List<SimResult> runAll(
      List<Simulator> sims,
      List<Boolean> modes,
      List<Routing> order,
      SimArrivals base,
      double rate,
      SimConfig config) {
    List<SimResult> out = new ArrayList<>();
    List<SimRequest> requests =
        SimWorkloads.classify(base.at(rate), config, interactive, deadlineSlack, shape.seed);
    for (boolean continuous : modes)
      for (Simulator sim : continuous ? sims : List.of(new Simulator(config)))
        for (Routing p : order) out.add(sim.run(requests, p, continuous));
    if (interactive <= 0 || interactive >= 1) return out;
    double idle = idleInteractiveMs(requests, config, order.get(0));
    return out.stream().map(r -> r.withIdle(idle)).toList();
  }

  /**
   * The yardstick of the interactive class: its edits alone, a simulated minute apart (nothing
   * overlaps), their templates' runs done first, on a worker with no other load; mean ms.
   */
  private static double idleInteractiveMs(
      List<SimRequest> requests, SimConfig config, Routing routing) {
    List<SimRequest> alone = new ArrayList<>();
    // a template's cache is per step count: one warm-up edit per (template, steps) first, in the
    // batch class so that the interactive mean leaves their template runs out
    Set<Map.Entry<String, Integer>> warm = new LinkedHashSet<>();
    for (SimRequest r : requests)
      if (r.priority() == Priority.INTERACTIVE) warm.add(Map.entry(r.templateId(), r.steps()));
    double gap = 60_000;
    int id = 0;
    for (Map.Entry<String, Integer> t : warm) {
      alone.add(
          new SimRequest(--id, gap * alone.size(), t.getKey(), 1, t.getValue())
              .with(Double.POSITIVE_INFINITY, Priority.BATCH));
    }
    for (SimRequest r : requests) {
      if (r.priority() != Priority.INTERACTIVE) continue;
      alone.add(
          new SimRequest(
              r.id(),
              gap * alone.size(),
              r.templateId(),
              r.maskedTokens(),
              r.steps(),
              Double.POSITIVE_INFINITY,
              Priority.INTERACTIVE));
    }
    return new Simulator(config).run(alone, routing, true).interactiveMeanMs();
  }

  private static LinearFit measureCompute(ModelConfig c) {
    System.err.println(
        "simulate: calibrating compute on a random " + c.imageTokens() + "-token model");
    DitForward f = new DitForward(DitModel.random(c, 0), Backends.byName("auto"));
    LinearFit fit = Calibration.compute(f, 3);
    System.err.println("simulate: compute per block " + fit);
    return fit;
  }

  /** The --batching modes in order, true for continuous. */
  private static List<Boolean> modes(List<String> names) {
    List<Boolean> modes = new ArrayList<>();
    for (String n : names) {
      boolean continuous =
          switch (n.trim()) {
            case "continuous" -> true;
            case "static" -> false;
            default ->
                throw new IllegalArgumentException(
                    "--batching takes continuous and/or static, got '" + n + "'");
          };
      if (!modes.contains(continuous)) modes.add(continuous);
    }
    return modes;
  }

  private static double round3(double x) {
    return Double.parseDouble(String.format(Locale.ROOT, "%.3g", x));
  }
}
