package io.instgenie.cli;

import io.instgenie.cache.Precision;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.EditResult;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.verticles.EditLimits;
import io.instgenie.verticles.ServiceSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code instgenie edit}: one edit from files, with the template run first when it is needed. */
@Command(
    name = "edit",
    description = "Edit the masked region of a template image to match a prompt.")
final class EditCommand implements Callable<Integer> {
  @Option(
      names = "--template",
      required = true,
      paramLabel = "T.png",
      description = "The template image (PNG or JPEG, the model's size).")
  Path template;

  @Option(
      names = "--mask",
      required = true,
      paramLabel = "M.png",
      description = "Grey or RGB PNG; pixels >= 128 are edited.")
  Path mask;

  @Option(
      names = "--prompt",
      required = true,
      description = "What to draw in the mask, in the model's words (\"\" for none).")
  String prompt;

  @Option(names = "--steps", description = "Denoising steps (default: the model's).")
  Integer steps;

  @Option(names = "--seed", description = "Seed of the edit noise (default: random, reported).")
  Long seed;

  @Option(
      names = "--guidance",
      description = "Classifier-free guidance scale (default: the model's).")
  Float guidance;

  @Option(
      names = "--no-cache",
      description = "Recompute every token (the full-recompute reference).")
  boolean noCache;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "O.png",
      description = "Where to write the edited PNG (written whole or not at all).")
  Path out;

  @Option(names = "--json", description = "Print one JSON line of facts instead of text.")
  boolean json;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    OutputFiles.checkWritable(out, "--out");
    String bad = guidance == null ? null : EditLimits.guidanceProblem(guidance);
    if (bad != null) throw new IllegalArgumentException("--" + bad);
    RgbImage t = Images.read(template, "template");
    MaskImage m = Images.readMask(mask, "mask");
    Patches.checkSelects(m, "mask " + mask);
    EditRequest request = new EditRequest(t, m, prompt, steps, seed, guidance);
    DitModel model = modelOptions.load();
    if (!noCache) checkTemplateRun(model, steps == null ? model.config().defaultSteps() : steps);
    EditEngine engine = new EditEngine(model, modelOptions.backend(), 1);
    EditResult r;
    try (Progress progress = new Progress(!json && System.console() != null)) {
      r = engine.edit(request, !noCache, progress);
    }
    Images.writePng(out, new RgbImage(t.width(), t.height(), r.rgb()));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("mask_ratio", r.maskRatio());
    facts.put("template_id", r.templateId());
    facts.put("template_run_ms", r.templateRunMs());
    facts.put("denoise_ms", r.denoiseMs());
    facts.put("cache_hit", r.cacheHit());
    facts.put("cache", !noCache);
    facts.put("steps", r.steps());
    facts.put("seed", r.seed());
    facts.put("out", out.toString());
    if (json) {
      System.out.println(ModelFiles.toJson(facts).replaceAll("\\s*\\n\\s*", " "));
    } else {
      System.out.printf(
          "wrote %s: mask ratio %.3f, template run %d ms, denoise %d ms, seed %d%n",
          out, r.maskRatio(), r.templateRunMs(), r.denoiseMs(), r.seed());
    }
    return 0;
  }

  /**
   * Refuses a template run over the service's default {@code max_template_run_bytes} before it
   * fills memory, with the service's words.
   */
  private static void checkTemplateRun(DitModel model, int steps) {
    if (steps < 1) return; // the edit's own check says what is wrong
    String bad =
        EditLimits.templateRunProblem(
            model.config(),
            steps,
            Precision.F32,
            CacheKind.Y,
            ServiceSettings.MAX_TEMPLATE_RUN_BYTES.defaultValue());
    if (bad != null) throw new IllegalArgumentException(bad + ", or use --no-cache");
  }

  /** A progress bar on stderr per phase, or nothing when stderr is not a terminal. */
  private static final class Progress implements StepListener, AutoCloseable {
    private final boolean enabled;
    private ProgressBar bar;
    private String phase;

    Progress(boolean enabled) {
      this.enabled = enabled;
    }

    @Override
    public void stepDone(String p, int step, int total) {
      if (!enabled) return;
      if (!p.equals(phase)) {
        close();
        phase = p;
        bar =
            new ProgressBarBuilder()
                .setTaskName(p)
                .setInitialMax(total)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
      }
      bar.stepTo(step);
    }

    @Override
    public void close() {
      if (bar != null) bar.close();
      bar = null;
    }
  }
}
