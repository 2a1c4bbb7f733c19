package io.instgenie.cli;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.scenes.SceneTrainingData;
import io.instgenie.kernels.scenes.Shape;
import io.instgenie.kernels.train.Deepen;
import io.instgenie.kernels.train.RunHistory;
import io.instgenie.kernels.train.TrainConfig;
import io.instgenie.kernels.train.Trainer;
import io.instgenie.verticles.EditLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code instgenie train}: trains a model on generated scenes and writes its EMA weights as a model
 * folder. Resumes from the checkpoint when one with the same settings exists.
 */
@Command(
    name = "train",
    description =
        "Train a model on generated scenes (rectified flow, AdamW, EMA); resumable from its"
            + " checkpoint.")
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--preset",
      defaultValue = "shapes",
      description = "architecture (default: shapes)")
  String preset;

  @Option(
      names = "--scenes",
      paramLabel = "STYLE",
      description =
          "training scenes: simple (four shapes, six colours, one or two objects) or classic (eight"
              + " shapes, eleven colours, stripes); default: simple for the shapes preset, classic"
              + " otherwise")
  String scenes;

  @Option(
      names = "--shape-odds",
      paramLabel = "SHAPE=W[,SHAPE=W...]",
      description =
          "relative odds of the scenes' shapes, 1 for a shape not named (default: all alike);"
              + " star=2 draws stars twice as often as each other shape. Data only: a run resumed"
              + " with other odds goes on, and the sitting's command records them")
  String shapeOdds;

  @Option(names = "--steps", defaultValue = "10000")
  int steps;

  @Option(names = "--batch", defaultValue = "32")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3")
  double lr;

  @Option(names = "--warmup", defaultValue = "500")
  int warmup;

  @Option(names = "--weight-decay", defaultValue = "0.01")
  double weightDecay;

  @Option(names = "--ema", defaultValue = "0.999")
  double ema;

  @Option(names = "--caption-dropout", defaultValue = "0.1")
  double captionDropout;

  @Option(names = "--grad-clip", defaultValue = "1.0")
  double gradClip;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(
      names = "--t-sampling",
      defaultValue = TrainConfig.UNIFORM,
      description =
          "noise levels drawn uniform, logit-normal, mixed (logit-normal with one draw in five"
              + " uniform), or high (mixed with the logit-normal moved towards noise, median"
              + " t 0.73) (default: uniform)")
  String timeSampling;

  @Option(
      names = "--object-weight",
      defaultValue = "1",
      description =
          "loss weight of the patches that hold an object, against 1 for background patches"
              + " (default 1: all alike)")
  double objectWeight;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "training threads (default 0: one per core)")
  int threads;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "resumed from when present (default: checkpoints/<name of --out>.safetensors, kept out of"
              + " git and out of target/ so that mvn clean spares it)")
  Path checkpoint;

  @Option(names = "--checkpoint-every", defaultValue = "250")
  int every;

  @Option(names = "--out", defaultValue = "models/default", paramLabel = "DIR")
  Path out;

  @Option(names = "--dtype", defaultValue = "bf16", description = "f32 or bf16 (default: bf16)")
  String dtype;

  @Option(
      names = "--extend-from",
      paramLabel = "FILE",
      description =
          "continue the run of this checkpoint for more --steps (same settings otherwise, but"
              + " --object-weight may change); new checkpoints go to --checkpoint")
  Path extendFrom;

  @Option(
      names = "--init-from",
      paramLabel = "DIR",
      description =
          "start a new run from this model folder's weights (a committed snapshot, when the"
              + " checkpoint is lost): fresh optimizer moments, the learning rate warmed up again")
  Path initFrom;

  @Option(
      names = "--export-only",
      description = "write the model from the checkpoint's EMA weights at its step, no training")
  boolean exportOnly;

  @Option(
      names = "--default-steps",
      description = "with --export-only: the sampler's default steps written to model.json")
  Integer defaultSteps;

  @Option(
      names = "--default-guidance",
      description = "with --export-only: the sampler's default guidance written to model.json")
  Float defaultGuidance;

  @Option(
      names = "--default-full-steps",
      description =
          "with --export-only: the quality knob's default for this model (provenance"
              + " default_full_steps; the service's full_steps -1 reads it)")
  Integer defaultFullSteps;

  @Override
  public Integer call() {
    Path ck = checkpoint != null ? checkpoint : defaultCheckpoint(out);
    DType as = dtype();
    if (!exportOnly
        && (defaultSteps != null || defaultGuidance != null || defaultFullSteps != null)) {
      throw new IllegalArgumentException(
          "--default-steps and --default-guidance go with --export-only (they tune what ships)");
    }
    // what model.json would refuse, named as the option and refused before the checkpoint is read
    String guidance = defaultGuidance == null ? null : EditLimits.guidanceProblem(defaultGuidance);
    if (guidance != null) throw new IllegalArgumentException("--default-" + guidance);
    if (defaultSteps != null && defaultSteps < 1)
      throw new IllegalArgumentException("--default-steps must be positive, got " + defaultSteps);
    if (exportOnly) return export(ck, as);
    if (every <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive");
    if (threads < 0) throw new IllegalArgumentException("--threads must be ≥ 0 (0: one per core)");
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    ModelConfig arch = Presets.byName(preset);
    SceneStyle style = sceneStyle(preset);
    double[] odds = shapeOdds(style, shapeOdds);
    if (arch.promptTokens() < style.maxWords()) {
      throw new IllegalArgumentException(
          "preset '"
              + preset
              + "' takes "
              + arch.promptTokens()
              + " prompt words; "
              + style.word()
              + " scene captions need "
              + style.maxWords());
    }
    TrainConfig tc =
        new TrainConfig(
            steps,
            batch,
            lr,
            warmup,
            weightDecay,
            ema,
            captionDropout,
            gradClip,
            seed,
            timeSampling,
            objectWeight);
    createParent(ck);
    createParent(out.toAbsolutePath());
    SceneTrainingData data = new SceneTrainingData(arch.imageSize(), style, odds);
    long started = System.nanoTime();
    ModelConfig initModel = initFrom == null ? null : ModelFiles.readConfig(initFrom);
    try (Trainer t = open(ck, arch, tc, data, n, initModel);
        ProgressBar bar =
            new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(steps)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build()) {
      if (t.step() > 0) System.err.println("resumed at step " + t.step() + " from " + ck);
      bar.stepTo(t.step());
      String sitting = command(preset, tc);
      if (extendFrom != null) sitting += " --extend-from " + extendFrom.getFileName();
      if (initFrom != null) sitting += " --init-from " + initFrom;
      t.recordCommand(sitting);
      double[] smooth = {Double.NaN};
      t.run(
          ck,
          every,
          (step, total, loss, rate) -> {
            smooth[0] = Double.isNaN(smooth[0]) ? loss : 0.98 * smooth[0] + 0.02 * loss;
            bar.stepTo(step);
            bar.setExtraMessage(
                String.format(Locale.ROOT, "loss %.4f, %.1f img/s", smooth[0], rate));
          });
      double minutes = (System.nanoTime() - started) / 60e9;
      Map<String, Object> provenance = provenance(preset, t, n);
      if (extendFrom != null) {
        provenance.put(
            "command", provenance.get("command") + " --extend-from " + extendFrom.getFileName());
        provenance.put("extends", command(preset, Trainer.settingsOf(extendFrom)));
      }
      if (initFrom != null) {
        provenance.put("command", provenance.get("command") + " --init-from " + initFrom);
      }
      provenance.put("final_loss", Math.round(smooth[0] * 1e5) / 1e5);
      provenance.put("minutes_this_session", Math.round(minutes * 10) / 10.0);
      ModelFiles.write(out, arch.withProvenance(provenance), t.emaWeights(), as);
      System.out.printf(
          Locale.ROOT,
          "wrote %s (%s, %d steps, loss %.4f, %.1f min)%n",
          out,
          preset,
          t.step(),
          smooth[0],
          minutes);
    }
    return 0;
  }

  /**
   * The odds of {@code spec} ("star=2,circle=0.5") per shape of the style, in its order; null for
   * no spec.
   */
  static double[] shapeOdds(SceneStyle style, String spec) {
    if (spec == null) return null;
    List<String> words = style.shapes().stream().map(Shape::word).toList();
    double[] odds = new double[words.size()];
    Arrays.fill(odds, 1);
    Set<String> seen = new HashSet<>();
    for (String part : spec.split(",", -1)) {
      String[] kv = part.trim().split("=", -1);
      if (kv.length != 2 || kv[0].isBlank())
        throw new IllegalArgumentException(
            "--shape-odds takes SHAPE=WEIGHT pairs separated by commas, got '" + part + "'");
      String word = kv[0].trim().toLowerCase(Locale.ROOT);
      int at = words.indexOf(word);
      if (at < 0) {
        throw new IllegalArgumentException(
            "--shape-odds: '"
                + word
                + "' is no shape of "
                + style.word()
                + " scenes (they have "
                + String.join(", ", words)
                + ")");
      }
      if (!seen.add(word))
        throw new IllegalArgumentException("--shape-odds names '" + word + "' twice");
      double w;
      try {
        w = Double.parseDouble(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--shape-odds: '" + kv[1].trim() + "' is not a number (for " + word + ")");
      }
      if (!(w > 0 && Double.isFinite(w)))
        throw new IllegalArgumentException(
            "--shape-odds: the weight of " + word + " must be positive, got " + kv[1].trim());
      odds[at] = w;
    }
    return odds;
  }

  /** --scenes, or the preset's own style. */
  private SceneStyle sceneStyle(String presetName) {
    if (scenes != null) return SceneStyle.byName(scenes);
    return presetName.toLowerCase(Locale.ROOT).startsWith("shapes")
        ? SceneStyle.SIMPLE
        : SceneStyle.CLASSIC;
  }

  /**
   * Resume our own checkpoint, else extend another run's or start from a model ({@code m}: the
   * --init-from folder's config, read once), else afresh.
   */
  private Trainer open(
      Path ck, ModelConfig arch, TrainConfig tc, SceneTrainingData data, int n, ModelConfig m) {
    if (extendFrom != null && initFrom != null) {
      throw new IllegalArgumentException("--extend-from and --init-from exclude each other");
    }
    if (Files.isRegularFile(ck)) {
      Trainer t = Trainer.resume(ck, arch, tc, data, n);
      if (initFrom != null) t.startedFrom(m.provenance()); // a run begun before checkpoints said
      return t;
    }
    if (initFrom != null && Deepen.applies(m, arch)) {
      System.err.println(
          "growing "
              + initFrom
              + " from depth "
              + m.depth()
              + " to "
              + arch.depth()
              + ": its blocks keep their weights, the new ones between start as the identity");
      return Trainer.startFrom(
          arch,
          tc,
          data,
          n,
          Deepen.weights(m, ModelFiles.readWeights(initFrom, m).toTensors(m), arch, tc.seed()),
          m.provenance());
    }
    if (initFrom != null) {
      // a shipped model carries its own sampler defaults; the layers are what must match
      if (!Trainer.sameArchitecture(
          m.withSampling(arch.defaultSteps(), arch.defaultGuidance()), arch)) {
        throw new IllegalArgumentException(
            "--init-from: "
                + initFrom
                + " holds another architecture than preset '"
                + preset
                + "'");
      }
      return Trainer.startFrom(
          arch, tc, data, n, ModelFiles.readWeights(initFrom, m).toTensors(m), m.provenance());
    }
    if (extendFrom != null) {
      if (!Files.isRegularFile(extendFrom)) {
        throw new IllegalArgumentException("--extend-from: no checkpoint at " + extendFrom);
      }
      return Trainer.extend(extendFrom, arch, tc, data, n);
    }
    return Trainer.start(arch, tc, data, n);
  }

  /** Writes the EMA weights of a checkpoint as a model, with the checkpoint's own settings. */
  private int export(Path ck, DType as) {
    if (!Files.isRegularFile(ck)) {
      throw new IllegalArgumentException("--export-only needs a checkpoint; none at " + ck);
    }
    Trainer.Data none =
        s -> {
          throw new IllegalStateException("exporting does not train");
        };
    try (Trainer t = Trainer.resume(ck, none, 1)) {
      String name = presetName(t.model());
      Map<String, Object> prov = provenance(name, t, 0);
      if (defaultFullSteps != null) prov.put("default_full_steps", defaultFullSteps);
      ModelConfig arch = t.model().withProvenance(prov);
      if (defaultSteps != null || defaultGuidance != null) {
        arch =
            arch.withSampling(
                defaultSteps != null ? defaultSteps : arch.defaultSteps(),
                defaultGuidance != null ? defaultGuidance : arch.defaultGuidance());
      }
      ModelFiles.write(out, arch, t.emaWeights(), as);
      System.out.printf(Locale.ROOT, "wrote %s (%s at step %d of %s)%n", out, name, t.step(), ck);
    }
    return 0;
  }

  /** checkpoints/NAME.safetensors for --out …/NAME. */
  static Path defaultCheckpoint(Path out) {
    Path name = out.toAbsolutePath().normalize().getFileName();
    return Path.of("checkpoints", (name == null ? "model" : name.toString()) + ".safetensors");
  }

  private DType dtype() {
    return switch (dtype.toLowerCase(Locale.ROOT)) {
      case "f32" -> DType.F32;
      case "bf16" -> DType.BF16;
      default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + dtype);
    };
  }

  /** Fails now, not after an hour of training, when a folder cannot be made. */
  private static void createParent(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) throw new IllegalArgumentException(dir + " is not writable");
  }

  private static String presetName(ModelConfig c) {
    for (String name :
        new String[] {
          "shapes", "shapes-deep", "shapes-deeper", "scene", "scene-p4", "tiny", "bench"
        }) {
      if (Presets.byName(name).equals(c.withProvenance(null))) return name;
    }
    return "custom";
  }

  /** How the model was made: the command that reproduces it and its seed and size of run. */
  private Map<String, Object> provenance(String name, Trainer t, int n) {
    TrainConfig tc = t.config();
    int step = t.step();
    RunHistory h = t.history();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("command", command(name, tc));
    p.put("wall_minutes", Math.round(h.wallSeconds() / 6) / 10.0);
    p.put("commands", h.commands());
    p.put("scenes", sceneStyle(name).word());
    if (shapeOdds != null) p.put("shape_odds", shapeOdds);
    p.put("seed", tc.seed());
    p.put("steps", step);
    p.put("images_seen", (long) step * tc.batch());
    if (n > 0) p.put("threads", n);
    if (h.startsFrom() != null) {
      p.put("starts_from", h.startsFrom());
      p.put("total", totals(p, h.startsFrom()));
    }
    return p;
  }

  /**
   * Steps, images and training minutes of this run and of every run it started from, summed down
   * the chain of {@code starts_from} (a model's own {@code total} where it has one).
   */
  static Map<String, Object> totals(Map<String, Object> own, Map<String, Object> from) {
    Map<String, Object> before = from;
    if (from.get("total") instanceof Map<?, ?> t) {
      before = map(t);
    } else if (from.get("starts_from") instanceof Map<?, ?> earlier) {
      before = totals(from, map(earlier)); // a model made before totals were recorded
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("steps", number(own, "steps") + number(before, "steps"));
    out.put("images_seen", number(own, "images_seen") + number(before, "images_seen"));
    double minutes = numberD(own, "wall_minutes") + numberD(before, "wall_minutes");
    out.put("wall_minutes", Math.round(minutes * 10) / 10.0);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static long number(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number v ? v.longValue() : 0;
  }

  private static double numberD(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number v ? v.doubleValue() : 0;
  }

  private String command(String name, TrainConfig tc) {
    return String.format(
            Locale.ROOT,
            "instgenie train --preset %s%s --steps %d --batch %d --lr %s --warmup %d --weight-decay %s"
                + " --ema %s --caption-dropout %s --grad-clip %s --seed %d --dtype %s",
            name,
            scenes == null ? "" : " --scenes " + scenes,
            tc.steps(),
            tc.batch(),
            tc.lr(),
            tc.warmup(),
            tc.weightDecay(),
            tc.ema(),
            tc.captionDropout(),
            tc.gradClip(),
            tc.seed(),
            dtype.toLowerCase(Locale.ROOT))
        + (tc.timeSampling().equals(TrainConfig.UNIFORM)
            ? ""
            : " --t-sampling " + tc.timeSampling())
        + (tc.objectWeight() == 1.0 ? "" : " --object-weight " + tc.objectWeight())
        + (shapeOdds == null ? "" : " --shape-odds " + shapeOdds);
  }
}
