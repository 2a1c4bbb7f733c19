package io.instgenie.cache.bench;

import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.EditResult;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.scenes.EditCase;
import io.instgenie.kernels.scenes.PromptScore;
import io.instgenie.kernels.scenes.SceneGenerator;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.scenes.Shape;
import io.instgenie.kernels.scenes.ShapeScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Image quality as DESIGN.md reports it (issue 6): seeded scene edit cases, each run twice with the
 * same request and seed, once with the template's cached activations and once recomputing every
 * token; the cached edit is compared with the full one over the masked pixels (PSNR, SSIM), its
 * unmasked pixels with the template's, and both are scored for following the prompt ({@link
 * PromptScore}: the asked colour dominates the new pixels of the mask) and for drawing the asked
 * shape ({@link ShapeScore}). The cases come from the scenes the model was trained on.
 */
public final class EditQualityBench {
  /** One case; PSNR is +∞ when the two edits are equal. */
  public record Case(
      int index,
      String kind,
      String prompt,
      double maskRatio,
      double psnr,
      double ssim,
      boolean unmaskedIdentical,
      boolean cachedFollows,
      boolean fullFollows,
      boolean fullShape,
      ShapeScore.Fit cachedFit,
      long cachedDenoiseMs,
      long fullDenoiseMs,
      EditCase editCase,
      byte[] cached,
      byte[] full) {
    /** Whether the cached edit draws the asked shape (the shape score's count). */
    public boolean cachedShape() {
      return ShapeScore.draws(editCase, cachedFit);
    }
  }

  /** Every case and the summary over them. */
  public record Result(int steps, float guidance, List<Case> cases) {
    public double meanSsim() {
      return cases.stream().mapToDouble(Case::ssim).average().orElse(Double.NaN);
    }

    public double minSsim() {
      return cases.stream().mapToDouble(Case::ssim).min().orElse(Double.NaN);
    }

    /** Median PSNR in dB (+∞ when more than half of the pairs are equal). */
    public double medianPsnr() {
      double[] p = cases.stream().mapToDouble(Case::psnr).sorted().toArray();
      return p.length == 0 ? Double.NaN : p[p.length / 2];
    }

    public long unmaskedIdentical() {
      return cases.stream().filter(Case::unmaskedIdentical).count();
    }

    /** Share of cached edits that follow their prompt. */
    public double promptScore() {
      return cases.stream().filter(Case::cachedFollows).count() / (double) cases.size();
    }

    /** The same share for the full-recompute edits (the model's own prompt following). */
    public double fullPromptScore() {
      return cases.stream().filter(Case::fullFollows).count() / (double) cases.size();
    }

    /** Cases whose SSIM is below {@code bound}. */
    public long ssimBelow(double bound) {
      return cases.stream().filter(k -> k.ssim() < bound).count();
    }

    /** Mean denoising time of the cached edits over that of the full-recompute ones. */
    public double speedup() {
      double cached = cases.stream().mapToLong(Case::cachedDenoiseMs).sum();
      double full = cases.stream().mapToLong(Case::fullDenoiseMs).sum();
      return full / Math.max(1, cached);
    }

    /** Share of cached edits whose asked-colour region is recognised as the asked shape. */
    public double shapeScore() {
      return cases.stream().filter(Case::cachedShape).count() / (double) cases.size();
    }

    /** The same share for the full-recompute edits. */
    public double fullShapeScore() {
      return cases.stream().filter(Case::fullShape).count() / (double) cases.size();
    }

    /**
     * What the cached edits drew, per asked shape: asked word → (seen word → cases), in the order
     * first met; "none" where no silhouette fits with an IoU of {@link ShapeScore#MIN_IOU} (an
     * empty or scattered region). A seen word that is the asked one counts where the shape score
     * counts: the asked colour is not checked here either.
     */
    public Map<String, Map<String, Integer>> shapeConfusion() {
      Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
      for (Case k : cases) {
        out.computeIfAbsent(k.editCase().target().shape().word(), w -> new LinkedHashMap<>())
            .merge(seenShape(k.cachedFit()), 1, Integer::sum);
      }
      return out;
    }
  }

  /** The word of the shape a fit recognises ({@link ShapeScore#recognised}), or "none". */
  public static String seenShape(ShapeScore.Fit f) {
    Shape s = ShapeScore.recognised(f);
    return s == null ? "none" : s.word();
  }

  private EditQualityBench() {}

  /**
   * Runs {@code count} cases from seeds {@code seed}, {@code seed + 1}, …; {@code steps} and {@code
   * guidance} may be null for the model's defaults. Each case's edit seed is its case seed.
   */
  public static Result run(EditEngine engine, int count, long seed, Integer steps, Float guidance) {
    return runEach(List.of(engine), count, seed, steps, guidance).get(0);
  }

  /**
   * {@link #run} for several engines on the same cases (say, one per quality-knob value): each
   * case's full-recompute edit runs once, on the first engine, and every engine's cached edit is
   * compared with it (a full recompute computes every token at every step, whatever the knob).
   */
  public static List<Result> runEach(
      List<EditEngine> engines, int count, long seed, Integer steps, Float guidance) {
    ModelConfig c = engines.get(0).config();
    SceneStyle style = SceneStyle.of(c);
    SceneGenerator gen = new SceneGenerator(c.imageSize(), style);
    List<List<Case>> cases = new ArrayList<>();
    for (int e = 0; e < engines.size(); e++) cases.add(new ArrayList<>());
    for (int i = 0; i < count; i++) {
      EditCase ec = gen.editCase(seed + i);
      EditRequest req =
          new EditRequest(ec.template().image(), ec.mask(), ec.prompt(), steps, seed + i, guidance);
      // the first cached edit before the full one, as a lone run times them
      EditResult first = engines.get(0).edit(req, true, (p, s, t) -> {});
      EditResult full = engines.get(0).edit(req, false, (p, s, t) -> {});
      for (int e = 0; e < engines.size(); e++) {
        EditResult cached = e == 0 ? first : engines.get(e).edit(req, true, (p, s, t) -> {});
        cases.get(e).add(compare(c, style, i, ec, cached, full));
      }
    }
    int usedSteps = steps != null ? steps : c.defaultSteps();
    float usedGuidance = guidance != null ? guidance : c.defaultGuidance();
    List<Result> out = new ArrayList<>();
    for (List<Case> k : cases) out.add(new Result(usedSteps, usedGuidance, k));
    return out;
  }

  private static Case compare(
      ModelConfig c, SceneStyle style, int i, EditCase ec, EditResult cached, EditResult full) {
    RgbImage template = ec.template().image();
    boolean[] mask = Patches.pixelMask(ec.mask());
    ShapeScore.Fit cachedFit = ShapeScore.fit(ec, image(c, cached.rgb()), style.shapes());
    return new Case(
        i,
        ec.kind().name().toLowerCase(Locale.ROOT),
        ec.prompt(),
        cached.maskRatio(),
        ImageQuality.psnr(cached.rgb(), full.rgb(), mask),
        ImageQuality.ssim(cached.rgb(), full.rgb(), c.imageSize(), c.imageSize(), mask),
        ImageQuality.identicalOutside(cached.rgb(), template.pixels(), mask)
            && ImageQuality.identicalOutside(full.rgb(), template.pixels(), mask),
        PromptScore.follows(ec, image(c, cached.rgb())),
        PromptScore.follows(ec, image(c, full.rgb())),
        ShapeScore.draws(ec, image(c, full.rgb()), style.shapes()),
        cachedFit,
        cached.denoiseMs(),
        full.denoiseMs(),
        ec,
        cached.rgb(),
        full.rgb());
  }

  private static RgbImage image(ModelConfig c, byte[] rgb) {
    return new RgbImage(c.imageSize(), c.imageSize(), rgb);
  }

  /**
   * A gallery: one row per case of template | mask | full recompute | cached edit, each scaled up
   * {@code zoom} times (nearest neighbour), separated by 4-pixel white gutters.
   */
  public static RgbImage gallery(List<Case> rows, int size, int zoom) {
    List<List<byte[]>> cells = new ArrayList<>();
    for (Case k : rows) {
      EditCase ec = k.editCase();
      cells.add(
          List.of(
              ec.template().image().pixels(), ImageGrid.maskRgb(ec.mask()), k.full(), k.cached()));
    }
    return ImageGrid.of(cells, size, zoom, 4);
  }
}
