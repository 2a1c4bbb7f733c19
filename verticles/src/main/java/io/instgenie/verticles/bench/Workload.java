package io.instgenie.verticles.bench;

import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded open-loop workload: Poisson arrivals, mask ratios from a Beta distribution (skewed to
 * small masks, a tail towards 0.9), templates drawn with Zipf-like popularity, rectangular masks
 * aligned to patches, step counts drawn uniformly from a given set. The same seed gives the same
 * arrival sequence for every mode compared.
 */
public final class Workload {
  /**
   * One request: when (ms after start), which template, its mask as a PNG, its actual mask ratio,
   * its step count.
   */
  public record Arrival(
      long atMs,
      int template,
      byte[] maskPng,
      double maskRatio,
      long seed,
      String prompt,
      int steps) {}

  private Workload() {}

  /**
   * @param alpha Beta shape α; with β it sets the mean α/(α+β) (1.3 and 5.5 give 0.19)
   */
  public static List<Arrival> generate(
      long seed,
      int count,
      double ratePerSec,
      int templates,
      int imageSize,
      int patch,
      double alpha,
      double beta,
      List<String> prompts,
      int[] stepChoices) {
    Random r = new Random(seed);
    List<Arrival> out = new ArrayList<>();
    double t = 0;
    double[] popularity = zipf(templates, 1.1);
    for (int i = 0; i < count; i++) {
      t += -Math.log(1 - r.nextDouble()) / ratePerSec * 1000;
      double ratio = Math.min(0.9, Math.max(0.02, beta(r, alpha, beta)));
      MaskRect m = rect(r, ratio, imageSize / patch);
      out.add(
          new Arrival(
              (long) t,
              pick(r, popularity),
              maskPng(m, imageSize, patch),
              m.ratio(imageSize / patch),
              r.nextLong(),
              prompts.get(r.nextInt(prompts.size())),
              stepChoices[r.nextInt(stepChoices.length)]));
    }
    return out;
  }

  /** Random pixels; a distinct template per index. */
  public static RgbImage template(int index, int size) {
    byte[] px = new byte[size * size * 3];
    new Random(1000 + index).nextBytes(px);
    return new RgbImage(size, size, px);
  }

  private record MaskRect(int x, int y, int w, int h) {
    double ratio(int grid) {
      return (double) w * h / (grid * grid);
    }
  }

  /** A patch-aligned rectangle with about ratio·G² tokens and a random aspect ratio. */
  private static MaskRect rect(Random r, double ratio, int grid) {
    double area = ratio * grid * grid;
    double aspect = Math.exp((r.nextDouble() - 0.5) * 1.0);
    int w = (int) Math.max(1, Math.min(grid, Math.round(Math.sqrt(area * aspect))));
    int h = (int) Math.max(1, Math.min(grid, Math.round(area / w)));
    return new MaskRect(r.nextInt(grid - w + 1), r.nextInt(grid - h + 1), w, h);
  }

  private static byte[] maskPng(MaskRect m, int size, int patch) {
    byte[] px = new byte[size * size * 3];
    for (int y = m.y() * patch; y < (m.y() + m.h()) * patch; y++) {
      for (int x = m.x() * patch; x < (m.x() + m.w()) * patch; x++) {
        int at = (y * size + x) * 3;
        px[at] = px[at + 1] = px[at + 2] = (byte) 255;
      }
    }
    return Images.encodePng(new RgbImage(size, size, px));
  }

  static double[] zipf(int n, double s) {
    double[] w = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) sum += w[i] = 1 / Math.pow(i + 1, s);
    for (int i = 0; i < n; i++) w[i] /= sum;
    return w;
  }

  static int pick(Random r, double[] p) {
    double u = r.nextDouble();
    for (int i = 0; i < p.length; i++) if ((u -= p[i]) < 0) return i;
    return p.length - 1;
  }

  /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  static double beta(Random r, double a, double b) {
    double x = gamma(r, a);
    return x / (x + gamma(r, b));
  }

  /** Marsaglia–Tsang; for shape < 1 boosted by U^(1/shape). */
  static double gamma(Random r, double shape) {
    if (shape < 1) return gamma(r, shape + 1) * Math.pow(r.nextDouble(), 1 / shape);
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = r.nextGaussian();
      double v = Math.pow(1 + c * x, 3);
      if (v <= 0) continue;
      double u = r.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }
}
