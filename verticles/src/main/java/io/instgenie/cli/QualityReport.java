package io.instgenie.cli;

import io.instgenie.cache.bench.QualityBench;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table and the JSON of {@code instgenie bench cache --quality}. */
final class QualityReport {
  private static final String HOW =
      "BF16-cache edit against the F32-cache edit of the same request and seed, masked"
          + " pixels only; PSNR over R, G, B; SSIM: Gaussian 11x11 window (sigma 1.5) on luminance"
          + " Y = 0.299R + 0.587G + 0.114B, mirrored borders, averaged over masked pixels";

  private static final String VELOCITY =
      "v err: relative L2 error of the masked tokens' velocity in one prompt-branch forward"
          + " at the middle step (below 8-bit rounding): 'bf16' = BF16 vs F32 cache, 'cache' = F32 cache vs full recompute";

  private QualityReport() {}

  static String table(String modelName, QualityBench.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "cache quality: BF16 vs F32 storage, %s, %d edits, %d steps, guidance %.1f (%d branch(es))%n",
            modelName,
            r.edits().size(),
            r.steps(),
            r.guidance(),
            r.branches()));
    sb.append(HOW).append("\n\n");
    sb.append(VELOCITY).append("\n\n");
    sb.append(
        String.format(
            "%-5s %-22s %7s %10s %8s %10s %12s %12s%n",
            "edit", "prompt", "mask", "PSNR dB", "SSIM", "unmasked", "v err bf16", "v err cache"));
    for (QualityBench.Edit e : r.edits()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5d %-22s %7.3f %10s %8.6f %10s %12.2e %12.2e%n",
              e.index(),
              e.prompt(),
              e.maskRatio(),
              db(e.psnr()),
              e.ssim(),
              e.unmaskedIdentical() ? "identical" : "DIFFERENT",
              e.velocityErrBf16(),
              e.velocityErrCache()));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%nSSIM mean %.6f, min %.6f; PSNR median %s dB, min %s dB; unmasked pixels identical in %d of %d edits%n",
            r.meanSsim(),
            r.minSsim(),
            db(r.medianPsnr()),
            db(r.minPsnr()),
            r.unmaskedIdentical(),
            r.edits().size()));
    sb.append(
        String.format(
            Locale.ROOT,
            "velocity relative error: BF16 vs F32 cache at most %.2e; F32 cache vs full recompute median %.2e%n",
            r.maxVelocityErrBf16(),
            r.medianVelocityErrCache()));
    return sb.toString();
  }

  static Map<String, Object> json(String modelName, QualityBench.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", modelName);
    m.put("method", HOW);
    m.put("steps", r.steps());
    m.put("guidance", r.guidance());
    m.put("branches", r.branches());
    m.put("ssim_mean", r.meanSsim());
    m.put("ssim_min", r.minSsim());
    m.put("psnr_median_db", number(r.medianPsnr()));
    m.put("psnr_min_db", number(r.minPsnr()));
    m.put("unmasked_identical", r.unmaskedIdentical());
    m.put("unmasked_identical_fraction", (double) r.unmaskedIdentical() / r.edits().size());
    m.put("velocity_method", VELOCITY);
    m.put("velocity_rel_err_bf16_max", r.maxVelocityErrBf16());
    m.put("velocity_rel_err_cache_median", r.medianVelocityErrCache());
    List<Map<String, Object>> edits = new ArrayList<>();
    for (QualityBench.Edit e : r.edits()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("prompt", e.prompt());
      x.put("mask_ratio", e.maskRatio());
      x.put("psnr_db", number(e.psnr()));
      x.put("ssim", e.ssim());
      x.put("unmasked_identical", e.unmaskedIdentical());
      x.put("velocity_rel_err_bf16", e.velocityErrBf16());
      x.put("velocity_rel_err_cache", e.velocityErrCache());
      edits.add(x);
    }
    m.put("edits", edits);
    return m;
  }

  private static String db(double v) {
    return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
  }

  /** JSON has no infinity: equal images are written as the string "inf". */
  private static Object number(double v) {
    return Double.isInfinite(v) ? "inf" : v;
  }
}
