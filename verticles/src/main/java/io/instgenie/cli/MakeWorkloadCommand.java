package io.instgenie.cli;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code instgenie make-workload}: a seeded load-test workload (loadtest/README.md). */
@Command(
    name = "make-workload",
    description =
        "Write a seeded load-test workload: Poisson arrivals, skewed mask ratios, Zipf templates.")
final class MakeWorkloadCommand implements Callable<Integer> {
  @Mixin WorkloadOptions shape = new WorkloadOptions(600, 8, 1.2);

  @Option(names = "--out", required = true, paramLabel = "DIR")
  Path out;

  @Option(
      names = "--preset",
      description =
          "Image and patch size (and default steps) of a preset: tiny, bench, scene, scene-p4,"
              + " shapes, shapes-deep or shapes-deeper.")
  String preset;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "The image and patch size (and default steps) of a model folder instead of a"
              + " preset (default: the bundled model's).")
  Path model;

  @Option(names = "--mask-mean", defaultValue = "0.19", description = "0.11 or 0.19 in the paper.")
  double maskMean;

  @Option(names = "--rate", defaultValue = "1.0", description = "Arrivals per second (Poisson).")
  double rate;

  @Override
  public Integer call() {
    if (model != null && preset != null)
      throw new IllegalArgumentException("--model and --preset exclude each other");
    OutputFiles.checkFolder(out, "--out");
    ModelConfig c =
        model != null
            ? ModelFiles.readConfig(model)
            : preset != null ? Presets.byName(preset) : ModelOptions.defaultModel().config();
    WorkloadTrace.Spec spec =
        new WorkloadTrace.Spec(
            shape.seed,
            shape.requests,
            rate,
            shape.templates,
            shape.zipf,
            c.imageSize(),
            c.patchSize(),
            maskMean,
            WorkloadTrace.PROMPTS,
            shape.steps(List.of(c.defaultSteps())));
    WorkloadTrace trace = WorkloadTrace.generate(spec);
    trace.write(out);
    double[] ratios = trace.requests().stream().mapToDouble(r -> r.maskRatio()).toArray();
    int[] perTemplate = new int[shape.templates];
    trace.requests().forEach(r -> perTemplate[r.template()]++);
    System.out.printf(
        Locale.ROOT,
        "%d requests over %.0f s to %s: %d×%d images, mask ratio mean %.3f (asked %.2f),"
            + " under 0.1: %.0f%%, max %.2f; most popular template %.0f%% of edits%n",
        shape.requests,
        trace.requests().get(shape.requests - 1).atMs() / 1000.0,
        out,
        c.imageSize(),
        c.imageSize(),
        trace.meanMaskRatio(),
        maskMean,
        100.0 * Arrays.stream(ratios).filter(x -> x < 0.1).count() / shape.requests,
        Arrays.stream(ratios).max().orElse(0),
        100.0 * Arrays.stream(perTemplate).max().orElse(0) / shape.requests);
    return 0;
  }
}
