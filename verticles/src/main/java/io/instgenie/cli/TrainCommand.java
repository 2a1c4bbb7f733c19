package io.instgenie.cli;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneTrainingData;
import io.instgenie.kernels.train.TrainConfig;
import io.instgenie.kernels.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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
  @Option(names = "--preset", defaultValue = "scene", description = "architecture (default: scene)")
  String preset;

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
      names = "--threads",
      defaultValue = "0",
      description = "training threads (default 0: one per core)")
  int threads;

  @Option(
      names = "--checkpoint",
      defaultValue = "target/train/checkpoint.safetensors",
      description = "resumed from when present (default: ${DEFAULT-VALUE})")
  Path checkpoint;

  @Option(names = "--checkpoint-every", defaultValue = "250")
  int every;

  @Option(names = "--out", defaultValue = "models/default", paramLabel = "DIR")
  Path out;

  @Option(names = "--dtype", defaultValue = "bf16", description = "f32 or bf16 (default: bf16)")
  String dtype;

  @Option(
      names = "--export-only",
      description = "write the model from the checkpoint's EMA weights at its step, no training")
  boolean exportOnly;

  @Override
  public Integer call() {
    DType as =
        switch (dtype.toLowerCase(Locale.ROOT)) {
          case "f32" -> DType.F32;
          case "bf16" -> DType.BF16;
          default ->
              throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + dtype);
        };
    if (every <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive");
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    ModelConfig arch = Presets.byName(preset);
    TrainConfig tc =
        new TrainConfig(steps, batch, lr, warmup, weightDecay, ema, captionDropout, gradClip, seed);
    SceneTrainingData data = new SceneTrainingData(arch.imageSize());
    if (exportOnly && !Files.isRegularFile(checkpoint)) {
      throw new IllegalArgumentException("--export-only needs a checkpoint; none at " + checkpoint);
    }
    long started = System.nanoTime();
    try (Trainer t =
            Files.isRegularFile(checkpoint)
                ? Trainer.resume(checkpoint, arch, tc, data, n)
                : Trainer.start(arch, tc, data, n);
        ProgressBar bar =
            new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(steps)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build()) {
      if (t.step() > 0) System.err.println("resumed at step " + t.step() + " from " + checkpoint);
      bar.stepTo(t.step());
      double[] smooth = {Double.NaN};
      if (!exportOnly)
        t.run(
            checkpoint,
            every,
            (step, total, loss, rate) -> {
              smooth[0] = Double.isNaN(smooth[0]) ? loss : 0.98 * smooth[0] + 0.02 * loss;
              bar.stepTo(step);
              bar.setExtraMessage(
                  String.format(Locale.ROOT, "loss %.4f, %.1f img/s", smooth[0], rate));
            });
      double minutes = (System.nanoTime() - started) / 60e9;
      Map<String, Object> provenance = new LinkedHashMap<>();
      provenance.put("command", command());
      provenance.put("seed", seed);
      provenance.put("steps", t.step());
      provenance.put("images_seen", (long) t.step() * batch);
      provenance.put("threads", n);
      if (!Double.isNaN(smooth[0])) {
        provenance.put("final_loss", Math.round(smooth[0] * 1e5) / 1e5);
      }
      provenance.put("minutes_this_session", Math.round(minutes * 10) / 10.0);
      ModelConfig c = arch.withProvenance(provenance);
      ModelFiles.write(out, c, t.emaWeights(), as);
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

  private String command() {
    return String.format(
        Locale.ROOT,
        "instgenie train --preset %s --steps %d --batch %d --lr %s --warmup %d --weight-decay %s"
            + " --ema %s --caption-dropout %s --grad-clip %s --seed %d --dtype %s",
        preset,
        steps,
        batch,
        lr,
        warmup,
        weightDecay,
        ema,
        captionDropout,
        gradClip,
        seed,
        dtype);
  }
}
