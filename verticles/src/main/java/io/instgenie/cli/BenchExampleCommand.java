package io.instgenie.cli;

import io.instgenie.cache.bench.ImageGrid;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.EditResult;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.scenes.EditCase;
import io.instgenie.kernels.scenes.PromptScore;
import io.instgenie.kernels.scenes.SceneGenerator;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.scenes.ShapeScore;
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
 * {@code instgenie bench example}: the README's example edit (make-examples' case) under several
 * edit seeds, each judged for colour ({@link PromptScore}), shape ({@link ShapeScore}) and whether
 * the background continues through the mask (the mean absolute difference to the ideal result over
 * the masked pixels the ideal leaves as background).
 */
@Command(
    name = "example",
    description =
        "The README example edit under several seeds: asked colour, asked shape, background.")
final class BenchExampleCommand implements Callable<Integer> {
  /** Background pixels within this mean absolute difference (0–255 per channel) continue. */
  static final double BACKGROUND_MAE = 24;

  @Option(names = "--case", defaultValue = "424", description = "make-examples' case seed.")
  long caseSeed;

  @Option(names = "--seeds", defaultValue = "5", description = "Edit seeds 1..N (default 5).")
  int seeds;

  @Option(names = "--steps", description = "Denoising steps (default: the model's).")
  Integer steps;

  @Option(names = "--guidance", description = "Guidance scale (default: the model's).")
  Float guidance;

  @Option(names = "--strip", paramLabel = "PNG", description = "Write template, mask, edits.")
  Path strip;

  @Option(names = "--json")
  boolean json;

  @Mixin ModelOptions modelOptions;

  /** One seed's edit and its verdicts. */
  record Row(
      long seed, boolean colour, String shape, double iou, double backgroundMae, byte[] rgb) {
    boolean drawn(EditCase c) {
      return colour && c.target().shape().word().equals(shape) && iou >= ShapeScore.MIN_IOU;
    }
  }

  @Override
  public Integer call() {
    if (seeds <= 0) throw new IllegalArgumentException("--seeds must be positive");
    String bad = guidance == null ? null : EditLimits.guidanceProblem(guidance);
    if (bad != null) throw new IllegalArgumentException("--" + bad);
    if (strip != null) OutputFiles.checkWritable(strip, "--strip");
    DitModel model = modelOptions.load();
    ModelConfig c = model.config();
    SceneStyle style = SceneStyle.of(c);
    EditCase ec = new SceneGenerator(c.imageSize(), style).editCase(caseSeed);
    // The service's default quality knob, so the figures are what a user of the README gets.
    EditEngine engine =
        new EditEngine(model, modelOptions.backend(), 2)
            .withFullSteps(EditEngine.defaultFullSteps(c));
    List<Row> rows = new ArrayList<>();
    for (long s = 1; s <= seeds; s++) {
      EditRequest req =
          new EditRequest(ec.template().image(), ec.mask(), ec.prompt(), steps, s, guidance);
      EditResult r = engine.edit(req, true, (p, k, n) -> {});
      RgbImage img = new RgbImage(c.imageSize(), c.imageSize(), r.rgb());
      ShapeScore.Fit fit =
          ShapeScore.classify(
              ShapeScore.region(img, ec.mask(), ec.colour()), c.imageSize(), style.shapes());
      rows.add(
          new Row(
              s,
              PromptScore.follows(ec, img),
              fit.shape() == null ? "none" : fit.shape().word(),
              fit.iou(),
              backgroundMae(ec, r.rgb()),
              r.rgb()));
    }
    if (strip != null) Images.writePng(strip, strip(ec, rows, c.imageSize(), 4));
    long drawn = rows.stream().filter(r -> r.drawn(ec)).count();
    long background = rows.stream().filter(r -> r.backgroundMae() <= BACKGROUND_MAE).count();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("prompt", ec.prompt());
      m.put("case", caseSeed);
      m.put("drawn", drawn);
      m.put("background_continues", background);
      m.put("seeds", seeds);
      m.put(
          "per_seed",
          rows.stream()
              .map(
                  r -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("seed", r.seed());
                    e.put("colour", r.colour());
                    e.put("shape", r.shape());
                    e.put("iou", r.iou());
                    e.put("background_mae", r.backgroundMae());
                    return e;
                  })
              .toList());
      System.out.println(ModelFiles.toJson(m));
      return 0;
    }
    System.out.printf(Locale.ROOT, "example: \"%s\" (case %d)%n", ec.prompt(), caseSeed);
    System.out.printf(
        "%-5s %-7s %-9s %6s %15s%n", "seed", "colour", "shape", "IoU", "background MAE");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-5d %-7s %-9s %6.2f %15.1f%n",
          r.seed(),
          r.colour() ? "yes" : "no",
          r.shape(),
          r.iou(),
          r.backgroundMae());
    }
    System.out.printf(
        Locale.ROOT,
        "asked shape in the asked colour: %d of %d; background continues (MAE ≤ %.0f): %d of %d%n",
        drawn,
        seeds,
        BACKGROUND_MAE,
        background,
        seeds);
    return 0;
  }

  /** Mean absolute difference to the ideal result over masked pixels the ideal leaves as is. */
  static double backgroundMae(EditCase ec, byte[] rgb) {
    byte[] ideal = ec.expected().pixels();
    byte[] levels = ec.mask().levels();
    int w = ec.mask().width();
    double sum = 0;
    int n = 0;
    for (int i = 0; i < levels.length; i++) {
      int x = i % w;
      int y = i / w;
      boolean masked = (levels[i] & 0xFF) >= 128;
      // Where a replaced object stood, the ideal background is nothing the template shows.
      boolean replaced = ec.replaced() != null && ec.replaced().covers(x, y);
      if (!masked || ec.target().covers(x, y) || replaced) continue;
      for (int ch = 0; ch < 3; ch++) {
        sum += Math.abs((rgb[3 * i + ch] & 0xFF) - (ideal[3 * i + ch] & 0xFF));
      }
      n += 3;
    }
    return n == 0 ? 0 : sum / n;
  }

  /** Template | mask | one edit per seed, scaled up {@code zoom} times, 2-px white gutters. */
  static RgbImage strip(EditCase ec, List<Row> rows, int size, int zoom) {
    List<byte[]> cells =
        new ArrayList<>(List.of(ec.template().image().pixels(), ImageGrid.maskRgb(ec.mask())));
    for (Row r : rows) cells.add(r.rgb());
    return ImageGrid.of(List.of(cells), size, zoom, 2);
  }
}
