package io.instgenie.cli;

import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.cache.bench.CacheBench;
import io.instgenie.cache.bench.FanInWeights;
import io.instgenie.cache.bench.QualityBench;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie bench cache}: edit step latency with the template cache in memory and on disk,
 * load-then-compute vs block pipeline vs Algorithm 1; with {@code --quality}, BF16 against F32
 * storage over seeded edits instead.
 */
@Command(
    name = "cache",
    description =
        "Cached edit step latency (memory, disk; naive, pipeline, Algorithm 1), or --quality of BF16 storage.")
final class BenchCacheCommand implements Callable<Integer> {
  @Option(
      names = "--preset",
      description = "Random-weight preset instead of --model (tiny or bench; default: bench).")
  String preset;

  @Option(
      names = "--reps",
      defaultValue = "11",
      description = "Timed rounds per row (median taken; default ${DEFAULT-VALUE}).")
  int reps;

  @Option(
      names = "--batches",
      defaultValue = "1",
      split = ",",
      description = "Batch sizes; a batch of n edits has n templates (default ${DEFAULT-VALUE}).")
  int[] batches;

  @Option(
      names = "--run-steps",
      description =
          "Consecutive denoising steps per measurement, ms per step reported: an edit's steps come"
              + " in order, and the pipeline reads a step's first block during the step before"
              + " (default 4, or the model's steps less one if fewer; 1 times single cold steps).")
  Integer runSteps;

  @Option(
      names = "--branches",
      defaultValue = "1",
      description =
          "Guidance branches per edit, sharing one cache: 1 or 2 (default ${DEFAULT-VALUE}).")
  int branches;

  @Option(
      names = "--precision",
      defaultValue = "f32",
      description = "Storage precision of the cache: f32 or bf16 (default ${DEFAULT-VALUE}).")
  String precision;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Folder for the disk tier's files (default: a temporary folder).")
  Path dir;

  @Option(
      names = "--no-drop-caches",
      description = "Do not drop the page cache before disk measurements.")
  boolean noDrop;

  @Option(
      names = "--remote-mbps",
      defaultValue = "0",
      description = "Adds a SIMULATED remote tier: memory read at this many MB/s (0: none).")
  double remoteMbps;

  @Option(
      names = "--tiers",
      defaultValue = "memory,disk",
      split = ",",
      description = "Tiers to measure: memory, disk, remote (default ${DEFAULT-VALUE}).")
  String[] tiers;

  @Option(
      names = "--ratios",
      defaultValue = "0.05,0.1,0.2,0.4",
      split = ",",
      description = "Mask ratios (default ${DEFAULT-VALUE}).")
  double[] ratios;

  @Option(
      names = "--quality",
      description = "Instead: PSNR and SSIM of edits with a BF16 cache against the F32 cache.")
  boolean quality;

  @Option(
      names = "--edits",
      defaultValue = "20",
      description = "Edits for --quality (default ${DEFAULT-VALUE}).")
  int edits;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the --quality edits (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fan-in",
      description =
          "With --quality and a preset: random weights of std 1/sqrt(fan-in) instead of 0.02 (blocks that mix tokens).")
  boolean fanIn;

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--cache-mode",
      defaultValue = "y",
      description =
          "What the templates cache: y (block outputs) or kv (attention keys and values: twice the"
              + " bytes, less compute, only a prefix of blocks may recompute); default"
              + " ${DEFAULT-VALUE}.")
  String cacheMode;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    // random weights unless a model folder is named: timings do not depend on the weights
    boolean folder = preset == null && modelOptions.model != null;
    String name = preset == null ? "bench" : preset;
    if (fanIn && folder)
      throw new IllegalArgumentException(
          "--fan-in rescales a preset's random weights; it cannot apply to --model");
    DitModel model =
        folder
            ? modelOptions.load()
            : fanIn
                ? FanInWeights.model(Presets.byName(name), 0)
                : DitModel.random(Presets.byName(name), 0);
    String modelName =
        folder
            ? modelOptions.model.toString()
            : name
                + " preset, random weights (seed 0"
                + (fanIn ? ", std 1/sqrt(fan-in))" : ", std 0.02)");
    if (quality) {
      QualityBench.Result r =
          new QualityBench(new EditEngine(model, modelOptions.backend(), 1)).run(edits, seed);
      System.out.println(
          json
              ? ModelFiles.toJson(QualityReport.json(modelName, r))
              : QualityReport.table(modelName, r));
      return 0;
    }
    Precision p = Precision.parse(precision, "--precision");
    CacheBench.Options opt =
        new CacheBench.Options(
            reps,
            batches,
            ratios,
            tierSet(),
            branches,
            p,
            dir,
            !noDrop,
            remoteMbps,
            CacheKind.parse(cacheMode),
            runSteps != null
                ? runSteps
                : Math.max(1, Math.min(4, model.config().defaultSteps() - 1)));
    CacheBench.Result r = new CacheBench(new DitForward(model, modelOptions.backend()), opt).run();
    System.out.println(
        json ? ModelFiles.toJson(CacheReport.json(modelName, r)) : CacheReport.table(modelName, r));
    return 0;
  }

  private Set<TierKind> tierSet() {
    Set<TierKind> set = EnumSet.noneOf(TierKind.class);
    for (String t : tiers) {
      try {
        set.add(TierKind.valueOf(t.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--tiers takes memory, disk and remote, got '" + t + "'");
      }
    }
    if (remoteMbps > 0) set.add(TierKind.REMOTE);
    return set;
  }
}
