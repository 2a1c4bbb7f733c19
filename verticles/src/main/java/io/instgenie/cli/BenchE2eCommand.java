package io.instgenie.cli;

import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.bench.E2eBench;
import io.instgenie.verticles.bench.E2eBench.Mode;
import io.instgenie.verticles.bench.E2ePlots;
import io.instgenie.verticles.bench.E2eReport;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie bench e2e}: InstGenIE against the Diffusers-style baseline on one seeded
 * workload at several request rates, in-process; optional ablation rows and PNG plots.
 */
@Command(
    name = "e2e",
    description =
        "InstGenIE vs the full-recompute, static-batching, round-robin baseline under open-loop load.")
final class BenchE2eCommand implements Callable<Integer> {
  /** The step counts when --steps names none. */
  private static final List<Integer> DEFAULT_STEPS = List.of(10);

  @Mixin WorkloadOptions shape = new WorkloadOptions(24, 8, 1.2);

  @Option(names = "--preset", defaultValue = "bench")
  String preset;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "A model folder instead of a preset.")
  Path model;

  @Option(names = "--mask-mean", defaultValue = "0.19", description = "0.11 or 0.19.")
  double maskMean;

  @Option(
      names = "--rates",
      defaultValue = "0.1,0.2,0.3,0.45",
      split = ",",
      description = "Request rates (Poisson, per second).")
  List<Double> rates;

  @Option(names = "--max-batch", defaultValue = "8")
  int maxBatch;

  @Option(
      names = "--workers",
      defaultValue = "1",
      description = "Denoise workers per service (routing matters from 2 on; CPU: 1).")
  int workers;

  @Option(
      names = "--modes",
      defaultValue = "instgenie,baseline",
      split = ",",
      description =
          "instgenie, instgenie_kv (cache_mode=kv), baseline, cache_only, batching_only; in this"
              + " order per rate.")
  List<String> modes;

  @Option(names = "--ablation", description = "Also run cache_only and batching_only.")
  boolean ablation;

  @Option(names = "--json")
  boolean json;

  @Option(names = "--plots", paramLabel = "DIR", description = "Write PNG plots into DIR.")
  Path plots;

  @Option(
      names = "--save",
      paramLabel = "FILE",
      description = "Also write the --json document to FILE (whatever is printed).")
  Path save;

  @Option(
      names = "--saturation",
      description =
          "Also measure each mode's capacity (all requests at once) and run every mode at the"
              + " baseline's capacity, the arrivals scaled to realise that rate.")
  boolean saturation;

  @Option(
      names = "--engine-reps",
      defaultValue = "3",
      description = "Repetitions of the engine measurements behind two of the plots.")
  int engineReps;

  @Override
  public Integer call() throws Exception {
    if (rates.isEmpty() || rates.stream().anyMatch(r -> !(r > 0)) || shape.requests < 1)
      throw new IllegalArgumentException("--rates and --requests must be positive");
    if (plots != null) OutputFiles.checkFolder(plots, "--plots");
    List<Mode> order = new ArrayList<>();
    for (String m : modes) order.add(Mode.parse(m));
    if (ablation) {
      if (!order.contains(Mode.CACHE_ONLY)) order.add(Mode.CACHE_ONLY);
      if (!order.contains(Mode.BATCHING_ONLY)) order.add(Mode.BATCHING_ONLY);
    }
    if (order.isEmpty()) throw new IllegalArgumentException("--modes names no mode");
    if (saturation && !order.contains(Mode.BASELINE))
      throw new IllegalArgumentException("--saturation needs the baseline among --modes");
    DitModel m = model != null ? DitModel.load(model) : DitModel.random(Presets.byName(preset), 0);
    ModelConfig c = m.config();
    WorkloadTrace.Spec spec =
        new WorkloadTrace.Spec(
            shape.seed,
            shape.requests,
            rates.get(0),
            shape.templates,
            shape.zipf,
            c.imageSize(),
            c.patchSize(),
            maskMean,
            WorkloadTrace.PROMPTS,
            shape.steps(DEFAULT_STEPS));
    double realised = WorkloadTrace.generate(spec).meanMaskRatio();
    E2eBench bench =
        new E2eBench(
            m,
            maxBatch,
            Map.of("workers", String.valueOf(workers)),
            line -> System.err.println("bench e2e: " + line));
    bench.warmUp(spec, rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    List<E2eBench.RateResult> results = bench.run(spec, rates, order);
    E2eBench.Saturation sat = saturation ? bench.saturation(spec, order) : null;
    EngineBench.Result engine = null;
    List<Path> written = List.of();
    if (plots != null) {
      System.err.println("bench e2e: engine measurements for the plots");
      engine = engineRun(m);
      written =
          E2ePlots.plots(plots, results, engine, branches(c), shape.steps(DEFAULT_STEPS), realised);
    }
    String source = model != null ? model.toString() : preset + " preset";
    if (json || save != null) {
      Map<String, Object> out =
          E2eReport.json(results, engine, branches(c), shape.steps(DEFAULT_STEPS), realised);
      Map<String, Object> head = new LinkedHashMap<>();
      head.put("model", source);
      head.put("mask_ratio_mean", maskMean);
      head.put("realised_mask_ratio_mean", realised);
      head.put("requests", shape.requests);
      head.put("steps", shape.steps(DEFAULT_STEPS));
      head.put("templates", shape.templates);
      head.put("zipf_s", shape.zipf);
      head.put("max_batch", maxBatch);
      head.put("workers", workers);
      head.put("seed", shape.seed);
      head.putAll(out);
      if (sat != null) head.put("saturation", E2eReport.saturationJson(sat));
      head.put("plots", written.stream().map(Path::toString).toList());
      String text = ModelFiles.toJson(head);
      if (save != null) Files.writeString(save, text + "\n");
      if (json) System.out.println(text);
    }
    if (!json) {
      System.out.printf(
          Locale.ROOT,
          "bench e2e: %s, mask-ratio mean %.2f (realised %.3f), %d requests per run, steps %s,"
              + " %d templates (Zipf %.1f), max batch %d, %d worker(s), seed %d%n%n",
          source,
          maskMean,
          realised,
          shape.requests,
          shape.steps(DEFAULT_STEPS),
          shape.templates,
          shape.zipf,
          maxBatch,
          workers,
          shape.seed);
      System.out.print(E2eReport.table(results));
      if (sat != null) System.out.print(E2eReport.saturationTable(sat));
      if (engine != null)
        System.out.print(E2eReport.engineTable(engine, branches(c), shape.steps(DEFAULT_STEPS)));
      for (Path p : written) System.out.println("plot: " + p);
    }
    return 0;
  }

  /** Guidance runs two sequences per request (null and prompt branch) unless g = 1. */
  private static int branches(ModelConfig c) {
    return c.defaultGuidance() == 1f ? 1 : 2;
  }

  /** Full and masked step latencies at batches of 1, 2, 4 and 8 requests. */
  private EngineBench.Result engineRun(DitModel m) {
    int b = branches(m.config());
    int[] batches = {b, 2 * b, 4 * b, 8 * b};
    return new EngineBench(new DitForward(m, Backends.byName("auto")), engineReps).run(batches);
  }

  static ServeBench.Stats stats(E2eBench.RateResult r, Mode m) {
    return r.modes().get(m);
  }
}
