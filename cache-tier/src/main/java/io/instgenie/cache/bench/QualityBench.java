package io.instgenie.cache.bench;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.Precision;
import io.instgenie.cache.StoredActivations;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.Schedule;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The quality cost of BF16 storage (issue 4): seeded edits run twice, with the template's cache
 * stored in F32 and in BF16, and the BF16 edit compared with the F32 one over the masked region
 * (PSNR, SSIM; {@link ImageQuality}), plus whether the unmasked pixels of both are the template's.
 * Templates are drawn scenes (a gradient and a few shapes), masks are rectangles, prompts a few
 * words; every template serves {@link #EDITS_PER_TEMPLATE} edits, as templates are reused in
 * service.
 */
public final class QualityBench {
  static final int EDITS_PER_TEMPLATE = 4;
  private static final String[] COLOURS = {
    "red", "green", "blue", "yellow", "orange", "purple", "white", "black"
  };
  private static final String[] SHAPES = {
    "circle", "square", "triangle", "diamond", "star", "ring", "cross", "bar"
  };

  /**
   * One edit: its token mask ratio, PSNR (dB, +∞ when equal) and SSIM of BF16 against F32, unmasked
   * identity, and below 8 bits the relative L2 error of one mid-trajectory velocity: BF16 cache
   * against F32 cache, and (for scale) F32 cache against full recompute.
   */
  public record Edit(
      int index,
      double maskRatio,
      String prompt,
      double psnr,
      double ssim,
      boolean unmaskedIdentical,
      double velocityErrBf16,
      double velocityErrCache) {}

  /**
   * All edits and their summary (PSNR in dB, +∞ when the two edits are equal; {@code
   * unmaskedIdentical} counts edits).
   */
  public record Result(
      int steps,
      float guidance,
      int branches,
      List<Edit> edits,
      double meanSsim,
      double minSsim,
      double medianPsnr,
      double minPsnr,
      int unmaskedIdentical,
      double maxVelocityErrBf16,
      double medianVelocityErrCache) {}

  private final EditEngine engine;
  private final ModelConfig c;

  public QualityBench(EditEngine engine) {
    this.engine = engine;
    this.c = engine.config();
  }

  public Result run(int edits, long seed) {
    if (edits < 1) throw new IllegalArgumentException("need at least one edit, got " + edits);
    Random rnd = new Random(seed);
    List<Edit> out = new ArrayList<>();
    StoredActivations f32 = null;
    StoredActivations bf16 = null;
    RgbImage template = null;
    PreparedEdit last = null;
    for (int i = 0; i < edits; i++) {
      if (i % EDITS_PER_TEMPLATE == 0) {
        template = scene(rnd, c.imageSize());
        f32 = null;
      }
      String prompt =
          COLOURS[rnd.nextInt(COLOURS.length)] + " " + SHAPES[rnd.nextInt(SHAPES.length)];
      EditRequest req =
          new EditRequest(
              template, rectangle(rnd, c.imageSize()), "a " + prompt, null, rnd.nextLong(), null);
      PreparedEdit p = engine.prepare(req);
      if (p.maskedTokens().length == 0)
        throw new IllegalStateException("edit " + i + " has an empty mask");
      if (f32 == null) {
        Activations run =
            engine.templateRun(p.templateTokens(), p.templateNoise(), p.steps(), StepListener.NONE);
        f32 = StoredActivations.copyOf(run, ActivationShape.of(c, p.steps(), Precision.F32));
        bf16 = StoredActivations.copyOf(run, ActivationShape.of(c, p.steps(), Precision.BF16));
      }
      byte[] a = edit(p, f32);
      byte[] b = edit(p, bf16);
      boolean[] mask = p.pixelMask();
      byte[] px = template.pixels();
      boolean same =
          ImageQuality.identicalOutside(a, b, mask) && ImageQuality.identicalOutside(px, b, mask);
      double[] v = velocityErrors(p, f32, bf16);
      out.add(
          new Edit(
              i,
              p.maskRatio(c),
              req.prompt(),
              ImageQuality.psnr(a, b, mask),
              ImageQuality.ssim(a, b, c.imageSize(), c.imageSize(), mask),
              same,
              v[0],
              v[1]));
      last = p;
    }
    double[] ssim = out.stream().mapToDouble(Edit::ssim).sorted().toArray();
    double[] psnr = out.stream().mapToDouble(Edit::psnr).sorted().toArray();
    return new Result(
        last.steps(),
        last.guidance(),
        last.branches(),
        out,
        Arrays.stream(ssim).average().orElse(Double.NaN),
        ssim[0],
        median(psnr),
        psnr[0],
        (int) out.stream().filter(Edit::unmaskedIdentical).count(),
        out.stream().mapToDouble(Edit::velocityErrBf16).max().orElse(Double.NaN),
        median(out.stream().mapToDouble(Edit::velocityErrCache).sorted().toArray()));
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private byte[] edit(PreparedEdit p, Activations cache) {
    EditJob job = p.job(c, cache);
    engine.run(List.of(job), null, "edit", StepListener.NONE);
    return job.result(p.request().template().pixels(), p.pixelMask());
  }

  /**
   * One prompt-branch forward at the middle step on the template's trajectory, masked tokens at the
   * same noise level from the edit's noise (the edit's own state stays inside its job): relative L2
   * error of the masked tokens' velocity, BF16 vs F32 cache and F32 cache vs full recompute.
   */
  private double[] velocityErrors(PreparedEdit p, Activations f32, Activations bf16) {
    int k = p.steps() / 2;
    float t = Schedule.t(k, p.steps());
    int pd = c.patchDim();
    int l = c.imageTokens();
    int[] masked = p.maskedTokens();
    float[] x = new float[l * pd];
    Schedule.noised(p.templateTokens(), p.templateNoise(), t, x);
    float[] eps = Noise.gaussian(p.seed(), l * pd);
    for (int m : masked) {
      for (int e = m * pd; e < (m + 1) * pd; e++)
        x[e] = (1 - t) * p.templateTokens()[e] + t * eps[e];
    }
    float[] v32 = new float[masked.length * pd];
    float[] v16 = new float[masked.length * pd];
    float[] full = new float[l * pd];
    DitForward f = engine.forward();
    f.run(List.of(Sequence.masked(t, p.promptIds(), x, masked, l, f32.source(k), v32)), null);
    f.run(List.of(Sequence.masked(t, p.promptIds(), x, masked, l, bf16.source(k), v16)), null);
    f.run(List.of(Sequence.full(t, p.promptIds(), x, l, full, null)), null);
    float[] vFull = new float[masked.length * pd];
    for (int i = 0; i < masked.length; i++)
      System.arraycopy(full, masked[i] * pd, vFull, i * pd, pd);
    return new double[] {relativeError(v16, v32), relativeError(v32, vFull)};
  }

  /** ‖a − ref‖₂ / ‖ref‖₂. */
  static double relativeError(float[] a, float[] ref) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (double) (a[i] - ref[i]) * (a[i] - ref[i]);
      den += (double) ref[i] * ref[i];
    }
    return Math.sqrt(num / den);
  }

  /** A vertical two-colour gradient with three to six filled circles and rectangles. */
  static RgbImage scene(Random rnd, int s) {
    int[] top = colour(rnd);
    int[] bottom = colour(rnd);
    byte[] px = new byte[s * s * 3];
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        for (int ch = 0; ch < 3; ch++)
          px[(y * s + x) * 3 + ch] = (byte) (top[ch] + (bottom[ch] - top[ch]) * y / (s - 1));
      }
    }
    int shapes = 3 + rnd.nextInt(4);
    for (int n = 0; n < shapes; n++) {
      int[] col = colour(rnd);
      int r = s / 16 + rnd.nextInt(s / 5);
      int cx = rnd.nextInt(s);
      int cy = rnd.nextInt(s);
      boolean round = rnd.nextBoolean();
      for (int y = Math.max(0, cy - r); y < Math.min(s, cy + r); y++) {
        for (int x = Math.max(0, cx - r); x < Math.min(s, cx + r); x++) {
          if (round && (x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r) continue;
          for (int ch = 0; ch < 3; ch++) px[(y * s + x) * 3 + ch] = (byte) col[ch];
        }
      }
    }
    return new RgbImage(s, s, px);
  }

  /** An axis-aligned rectangle covering 5% to 40% of the image. */
  static MaskImage rectangle(Random rnd, int s) {
    double area = 0.05 + 0.35 * rnd.nextDouble();
    double aspect = 0.5 + rnd.nextDouble() * 1.5;
    int w = (int) Math.max(1, Math.min(s, Math.round(Math.sqrt(area * s * s * aspect))));
    int h = (int) Math.max(1, Math.min(s, Math.round(area * s * s / w)));
    int x0 = rnd.nextInt(s - w + 1);
    int y0 = rnd.nextInt(s - h + 1);
    byte[] lv = new byte[s * s];
    for (int y = y0; y < y0 + h; y++) for (int x = x0; x < x0 + w; x++) lv[y * s + x] = (byte) 255;
    return new MaskImage(s, s, lv);
  }

  private static int[] colour(Random rnd) {
    return new int[] {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
  }
}
