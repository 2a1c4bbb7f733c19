package io.instgenie.cli;

import io.instgenie.cache.bench.EditQualityBench;
import io.instgenie.kernels.dit.CacheKind;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.model.ModelFiles;
import java.nio.file.Path;
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
          + " the asked colour (PromptScore)";

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

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--cache-mode",
      defaultValue = "y",
      description =
          "What the cached edits' template runs record: y (block outputs) or kv (attention keys and"
              + " values); default ${DEFAULT-VALUE}.")
  String cacheMode;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (count <= 0) throw new IllegalArgumentException("--cases must be positive");
    if (galleryRows <= 0) throw new IllegalArgumentException("--gallery-rows must be positive");
    CacheKind kind = CacheKind.parse(cacheMode);
    DitModel model = modelOptions.load();
    EditEngine engine = new EditEngine(model, modelOptions.backend(), 4, kind);
    EditQualityBench.Result r = EditQualityBench.run(engine, count, seed, steps, guidance);
    if (gallery != null) {
      int rows = Math.min(galleryRows, r.cases().size());
      Images.writePng(
          gallery,
          EditQualityBench.gallery(r.cases().subList(0, rows), model.config().imageSize(), 3));
    }
    String name = modelOptions.model != null ? modelOptions.model.toString() : "default";
    System.out.println(
        json ? ModelFiles.toJson(json(name, r, kind)) : "cache " + kind + "\n" + table(name, r));
    return 0;
  }

  static Map<String, Object> json(String model, EditQualityBench.Result r, CacheKind kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("cache_mode", kind.name().toLowerCase(java.util.Locale.ROOT));
    m.put("method", HOW);
    m.put("cases", r.cases().size());
    m.put("steps", r.steps());
    m.put("guidance", r.guidance());
    m.put("psnr_db", finite(r.medianPsnr()));
    m.put("ssim", r.meanSsim());
    m.put("ssim_min", r.minSsim());
    m.put("unmasked_identical", r.unmaskedIdentical() / (double) r.cases().size());
    m.put("prompt_score", r.promptScore());
    m.put("prompt_score_full", r.fullPromptScore());
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
            "%-5s %-8s %-24s %6s %8s %8s %10s %8s %8s%n",
            "case", "kind", "prompt", "mask", "PSNR dB", "SSIM", "unmasked", "cached", "full"));
    for (EditQualityBench.Case k : r.cases()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5d %-8s %-24s %6.3f %8s %8.4f %10s %8s %8s%n",
              k.index(),
              k.kind(),
              k.prompt(),
              k.maskRatio(),
              Double.isFinite(k.psnr()) ? String.format(Locale.ROOT, "%.1f", k.psnr()) : "inf",
              k.ssim(),
              k.unmaskedIdentical() ? "identical" : "DIFFERENT",
              k.cachedFollows() ? "follows" : "-",
              k.fullFollows() ? "follows" : "-"));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%nSSIM mean %.4f (min %.4f); PSNR median %s dB; unmasked pixels identical in %d of %d;"
                + " prompt score cached %.2f, full recompute %.2f%n",
            r.meanSsim(),
            r.minSsim(),
            Double.isFinite(r.medianPsnr())
                ? String.format(Locale.ROOT, "%.1f", r.medianPsnr())
                : "inf",
            r.unmaskedIdentical(),
            r.cases().size(),
            r.promptScore(),
            r.fullPromptScore()));
    return sb.toString();
  }
}
