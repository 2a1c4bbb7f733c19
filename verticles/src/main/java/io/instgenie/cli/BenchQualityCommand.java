package io.instgenie.cli;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.Precision;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.bench.EditQualityBench;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.verticles.EditLimits;
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
 * {@code instgenie bench quality}: cached edits against full-recompute edits of the same request
 * and seed over seeded scene edit cases (PSNR, SSIM, unmasked identity, prompt following).
 */
@Command(
    name = "quality",
    description =
        "Cached vs full-recompute edits over seeded scene edit cases: PSNR, SSIM, unmasked identity,"
            + " prompt score.")
final class BenchQualityCommand implements Callable<Integer> {
  private static final String HOW =
      "cached edit against the full-recompute edit of the same request and seed, masked pixels"
          + " only; PSNR over R, G, B; SSIM: Gaussian 11x11 window (sigma 1.5) on luminance, averaged"
          + " over masked pixels; prompt score: share of edits whose masked region is dominated by"
          + " the asked colour (PromptScore); shape score: share of edits whose asked-colour region"
          + " inside the mask is best fitted by the asked shape's silhouette (ShapeScore, IoU)";

  @Option(names = "--cases", defaultValue = "100", description = "Edit cases (default 100).")
  int count;

  @Option(names = "--seed", defaultValue = "1000", description = "First case seed.")
  long seed;

  @Option(names = "--steps", description = "Denoising steps (default: the model's).")
  Integer steps;

  @Option(names = "--guidance", description = "Guidance scale (default: the model's).")
  Float guidance;

  @Option(names = "--gallery", paramLabel = "PNG", description = "Also write a gallery PNG.")
  Path gallery;

  @Option(names = "--gallery-rows", defaultValue = "8")
  int galleryRows;

  @Option(
      names = "--full-steps",
      split = ",",
      defaultValue = "-1",
      paramLabel = "K[,K...]",
      description =
          "the quality knob: cached edits recompute every token for their first K steps,"
              + " counted at the model's default step count and scaled to --steps (as the"
              + " service's full_steps); several values print the SSIM/speed trade-off (default"
              + " -1: the model's own default)")
  List<Integer> fullSteps;

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--cache-mode",
      defaultValue = "y",
      description =
          "What the cached edits' template runs record: y (block outputs) or kv (attention keys and"
              + " values); default ${DEFAULT-VALUE}.")
  String cacheMode;

  @Option(
      names = "--cache-precision",
      defaultValue = "f32",
      description =
          "How the cached edits' template activations are stored: f32 or bf16 (the service's"
              + " cache_precision); default ${DEFAULT-VALUE}.")
  String cachePrecision;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (count <= 0) throw new IllegalArgumentException("--cases must be positive");
    if (galleryRows <= 0) throw new IllegalArgumentException("--gallery-rows must be positive");
    String bad = guidance == null ? null : EditLimits.guidanceProblem(guidance);
    if (bad != null) throw new IllegalArgumentException("--" + bad);
    if (gallery != null) OutputFiles.checkWritable(gallery, "--gallery");
    for (int k : fullSteps)
      if (k < -1)
        throw new IllegalArgumentException(
            "--full-steps must be -1 (the model's default) or at least 0, got " + k);
    CacheKind kind = CacheKind.parse(cacheMode);
    Precision precision = Precision.parse(cachePrecision, "--cache-precision");
    DitModel model = modelOptions.load();
    fullSteps =
        fullSteps.stream()
            .map(k -> k < 0 ? EditEngine.defaultFullSteps(model.config()) : k)
            .toList();
    String name = modelOptions.model != null ? modelOptions.model.toString() : "default";
    if (fullSteps.size() > 1) return tradeOff(model, name, kind, precision);
    EditEngine engine = engine(model, kind, precision, fullSteps.get(0));
    EditQualityBench.Result r = EditQualityBench.run(engine, count, seed, steps, guidance);
    if (gallery != null) {
      int rows = Math.min(galleryRows, r.cases().size());
      Images.writePng(
          gallery,
          EditQualityBench.gallery(r.cases().subList(0, rows), model.config().imageSize(), 3));
    }
    System.out.println(
        json
            ? ModelFiles.toJson(
                json(name, r, kind, precision, fullSteps.get(0), model.config().defaultSteps()))
            : "cache " + kind + "\n" + table(name, r));
    return 0;
  }

  /** One summary row per --full-steps value, on the same cases (their full recomputes run once). */
  private int tradeOff(DitModel model, String name, CacheKind kind, Precision precision) {
    List<EditEngine> engines = new ArrayList<>();
    for (int k : fullSteps) engines.add(engine(model, kind, precision, k));
    List<EditQualityBench.Result> results =
        EditQualityBench.runEach(engines, count, seed, steps, guidance);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < fullSteps.size(); i++) {
      EditQualityBench.Result r = results.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("full_steps", fullSteps.get(i));
      m.put(
          "full_steps_run",
          EditJob.fullStepsFor(fullSteps.get(i), r.steps(), model.config().defaultSteps()));
      m.put("ssim", r.meanSsim());
      m.put("ssim_min", r.minSsim());
      m.put("ssim_below_0_9", r.ssimBelow(0.9));
      m.put("prompt_score", r.promptScore());
      m.put("shape_score", r.shapeScore());
      m.put("unmasked_identical", r.unmaskedIdentical() / (double) r.cases().size());
      m.put("speedup_vs_full", r.speedup());
      rows.add(m);
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", name);
      out.put("cases", count);
      out.put("cache_mode", kind.name().toLowerCase(Locale.ROOT));
      out.put("cache_precision", precision.name().toLowerCase(Locale.ROOT));
      out.put("trade_off", rows);
      System.out.println(ModelFiles.toJson(out));
      return 0;
    }
    System.out.printf(
        "quality knob: model %s, %d cases (speed-up: denoising time of full recompute over the"
            + " cached edit's)%n%-11s %8s %8s %9s %8s %8s %9s%n",
        name, count, "full steps", "SSIM", "min", "< 0.9", "colour", "shape", "speed-up");
    for (Map<String, Object> m : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-11d %8.4f %8.4f %9d %8.2f %8.2f %8.2fx%n",
          m.get("full_steps"),
          m.get("ssim"),
          m.get("ssim_min"),
          m.get("ssim_below_0_9"),
          m.get("prompt_score"),
          m.get("shape_score"),
          m.get("speedup_vs_full"));
    }
    return 0;
  }

  /** The engine of the cached edits: template runs stored as the service's cache would. */
  private EditEngine engine(DitModel model, CacheKind kind, Precision precision, int full) {
    EditEngine e = new EditEngine(model, modelOptions.backend(), 4, kind).withFullSteps(full);
    if (precision == Precision.F32) return e;
    return e.withTemplateStorage(
        run ->
            StoredActivations.copyOf(
                run, ActivationShape.of(model.config(), run.steps(), precision, kind)));
  }

  static Map<String, Object> json(
      String model,
      EditQualityBench.Result r,
      CacheKind kind,
      Precision precision,
      int fullSteps,
      int defaultSteps) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("cache_mode", kind.name().toLowerCase(Locale.ROOT));
    m.put("cache_precision", precision.name().toLowerCase(Locale.ROOT));
    m.put("method", HOW);
    m.put("cases", r.cases().size());
    m.put("steps", r.steps());
    m.put("guidance", r.guidance());
    m.put("full_steps", fullSteps);
    // the knob counts at the model's default step count; what it came to at these steps
    m.put("full_steps_run", EditJob.fullStepsFor(fullSteps, r.steps(), defaultSteps));
    m.put("psnr_db", finite(r.medianPsnr()));
    m.put("ssim", r.meanSsim());
    m.put("ssim_min", r.minSsim());
    m.put("unmasked_identical", r.unmaskedIdentical() / (double) r.cases().size());
    m.put("prompt_score", r.promptScore());
    m.put("prompt_score_full", r.fullPromptScore());
    m.put("shape_score", r.shapeScore());
    m.put("shape_score_full", r.fullShapeScore());
    m.put("shape_confusion", r.shapeConfusion());
    List<Map<String, Object>> rows =
        r.cases().stream()
            .map(
                k -> {
                  Map<String, Object> e = new LinkedHashMap<>();
                  e.put("case", k.index());
                  e.put("kind", k.kind());
                  e.put("prompt", k.prompt());
                  e.put("mask_ratio", k.maskRatio());
                  e.put("psnr_db", finite(k.psnr()));
                  e.put("ssim", k.ssim());
                  e.put("unmasked_identical", k.unmaskedIdentical());
                  e.put("follows_prompt", k.cachedFollows());
                  e.put("draws_shape", k.cachedShape());
                  e.put("target_radius", k.editCase().target().radius());
                  e.put("seen_shape", EditQualityBench.seenShape(k.cachedFit()));
                  e.put("shape_iou", k.cachedFit().iou());
                  return e;
                })
            .toList();
    m.put("per_case", rows);
    return m;
  }

  /** JSON has no infinity: identical images report PSNR as null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  static String table(String model, EditQualityBench.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "edit quality: model %s, %d cases, %d steps, guidance %.1f%n%s%n%n",
            model,
            r.cases().size(),
            r.steps(),
            r.guidance(),
            HOW));
    sb.append(
        String.format(
            "%-5s %-8s %-24s %6s %8s %8s %10s %8s %8s %8s %8s%n",
            "case",
            "kind",
            "prompt",
            "mask",
            "PSNR dB",
            "SSIM",
            "unmasked",
            "colour",
            "full",
            "shape",
            "full"));
    for (EditQualityBench.Case k : r.cases()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5d %-8s %-24s %6.3f %8s %8.4f %10s %8s %8s %8s %8s%n",
              k.index(),
              k.kind(),
              k.prompt(),
              k.maskRatio(),
              Double.isFinite(k.psnr()) ? String.format(Locale.ROOT, "%.1f", k.psnr()) : "inf",
              k.ssim(),
              k.unmaskedIdentical() ? "identical" : "DIFFERENT",
              k.cachedFollows() ? "follows" : "-",
              k.fullFollows() ? "follows" : "-",
              k.cachedShape() ? "drawn" : "-",
              k.fullShape() ? "drawn" : "-"));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%nSSIM mean %.4f (min %.4f); PSNR median %s dB; unmasked pixels identical in %d of %d;"
                + " prompt score cached %.2f, full recompute %.2f; shape score cached %.2f, full"
                + " recompute %.2f%n",
            r.meanSsim(),
            r.minSsim(),
            Double.isFinite(r.medianPsnr())
                ? String.format(Locale.ROOT, "%.1f", r.medianPsnr())
                : "inf",
            r.unmaskedIdentical(),
            r.cases().size(),
            r.promptScore(),
            r.fullPromptScore(),
            r.shapeScore(),
            r.fullShapeScore()));
    sb.append("what the cached edits drew, per asked shape:");
    r.shapeConfusion()
        .forEach((asked, seen) -> sb.append(" ").append(asked).append(" → ").append(seen));
    return sb.append(System.lineSeparator()).toString();
  }
}
