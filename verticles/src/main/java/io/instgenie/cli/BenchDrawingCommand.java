package io.instgenie.cli;

import io.instgenie.cache.bench.ImageGrid;
import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.bench.DrawingBench;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
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
 * {@code instgenie bench drawing}: what the model draws from a prompt alone, shape by shape ({@link
 * DrawingBench}) — whether an edit that misses its shape fails in the model or in the edit.
 */
@Command(
    name = "drawing",
    description =
        "What the model draws from a prompt alone (no template, no mask), per shape: the share"
            + " recognised as asked, and what was seen instead.")
final class BenchDrawingCommand implements Callable<Integer> {
  @Option(names = "--cases", defaultValue = "16", description = "Samples per shape (default 16).")
  int perShape;

  @Option(names = "--seed", defaultValue = "0", description = "First scene seed (default 0).")
  long seed;

  @Option(names = "--steps", description = "Denoising steps (default: the model's).")
  Integer steps;

  @Option(names = "--guidance", description = "Guidance scale (default: the model's).")
  Float guidance;

  @Option(
      names = "--start-step",
      defaultValue = "0",
      paramLabel = "K",
      description =
          "Start from the asked scene itself noised to t = 1 - K/steps instead of pure noise"
              + " (default 0: pure noise; K = steps: the scenes themselves, the classifier's own"
              + " accuracy).")
  int startStep;

  @Option(
      names = "--grid",
      paramLabel = "PNG",
      description = "Write scene | sample pairs, a row per shape.")
  Path grid;

  @Option(names = "--json")
  boolean json;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (perShape < 1) throw new IllegalArgumentException("--cases must be positive");
    if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be positive");
    String bad = guidance == null ? null : EditLimits.guidanceProblem(guidance);
    if (bad != null) throw new IllegalArgumentException("--" + bad);
    if (grid != null) OutputFiles.checkWritable(grid, "--grid");
    DitModel model = modelOptions.load();
    ModelConfig c = model.config();
    int n = steps != null ? steps : c.defaultSteps();
    if (startStep < 0 || startStep > n)
      throw new IllegalArgumentException(
          "--start-step must be within 0.." + n + " (the steps), got " + startStep);
    float g = guidance != null ? guidance : c.defaultGuidance();
    Backend backend = modelOptions.backend();
    DrawingBench.Result r =
        new DrawingBench(new DitForward(model, backend)).run(perShape, seed, n, startStep, g);
    if (grid != null) Images.writePng(grid, grid(r, c.imageSize()));
    String name = modelOptions.model != null ? modelOptions.model.toString() : "default";
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", name);
      m.put("backend", backend.name());
      m.put("seed", seed);
      m.put("steps", n);
      m.put("start_step", startStep);
      m.put("guidance", g);
      m.put("cases_per_shape", perShape);
      m.put("drawing_score", r.score());
      Map<String, Object> per = new LinkedHashMap<>();
      for (DrawingBench.Row row : r.rows()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("drawn", row.drawn());
        e.put("asked", row.asked());
        e.put("seen", row.seen());
        per.put(row.shape().word(), e);
      }
      m.put("per_shape", per);
      System.out.println(ModelFiles.toJson(m));
      return 0;
    }
    System.out.printf(
        Locale.ROOT,
        "drawing from a prompt alone: model %s, scenes from seed %d, %d steps from step %d (t %.2f),"
            + " guidance %s%n",
        name,
        seed,
        n,
        startStep,
        1 - startStep / (double) n,
        g);
    System.out.printf("%-9s %7s  %s%n", "shape", "drawn", "seen as");
    for (DrawingBench.Row row : r.rows()) {
      System.out.printf(
          Locale.ROOT,
          "%-9s %3d/%-3d  %s%n",
          row.shape().word(),
          row.drawn(),
          row.asked(),
          row.seen());
    }
    System.out.printf(Locale.ROOT, "drawing score %.2f%n", r.score());
    return 0;
  }

  /** One row per shape of scene | sample pairs, scaled up 3 times. */
  private static RgbImage grid(DrawingBench.Result r, int size) {
    List<List<byte[]>> rows = new ArrayList<>();
    List<byte[]> row = null;
    Object last = null;
    for (DrawingBench.Sample s : r.samples()) {
      if (s.shape() != last) {
        row = new ArrayList<>();
        rows.add(row);
        last = s.shape();
      }
      row.add(s.scene());
      row.add(s.drawn());
    }
    return ImageGrid.of(rows, size, 3, 2);
  }
}
