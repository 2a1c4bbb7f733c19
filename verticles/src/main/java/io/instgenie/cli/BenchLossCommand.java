package io.instgenie.cli;

import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.scenes.SceneTrainingData;
import io.instgenie.kernels.train.HeldOutLoss;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie bench loss}: the model's rectified-flow loss on held-out scenes of the style it
 * was trained on, per noise level: how training recipes and checkpoints are compared.
 */
@Command(
    name = "loss",
    description = "Held-out rectified-flow loss per noise level on the model's own kind of scenes.")
final class BenchLossCommand implements Callable<Integer> {
  @Option(names = "--examples", defaultValue = "128", description = "Held-out examples per level.")
  int examples;

  @Option(names = "--json")
  boolean json;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (examples <= 0) throw new IllegalArgumentException("--examples must be positive");
    DitModel model = modelOptions.load();
    SceneStyle style = SceneStyle.of(model.config());
    if (model.config().promptTokens() < style.maxWords())
      throw new IllegalArgumentException(
          "the model takes "
              + model.config().promptTokens()
              + " prompt words; the captions of its "
              + style.word()
              + " scenes need "
              + style.maxWords());
    SceneTrainingData data = new SceneTrainingData(model.config().imageSize(), style);
    DitForward f = new DitForward(model, modelOptions.backend());
    double[] loss = HeldOutLoss.measure(f, data, examples, HeldOutLoss.LEVELS);
    double mean = 0;
    for (double v : loss) mean += v / loss.length;
    String name = modelOptions.model != null ? modelOptions.model.toString() : "default";
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", name);
      m.put("scenes", style.word());
      m.put("examples", examples);
      Map<String, Double> per = new LinkedHashMap<>();
      for (int l = 0; l < loss.length; l++) per.put(level(HeldOutLoss.LEVELS[l]), loss[l]);
      m.put("loss_by_t", per);
      m.put("mean", mean);
      System.out.println(ModelFiles.toJson(m));
      return 0;
    }
    StringBuilder head = new StringBuilder(String.format("%-10s", "t"));
    StringBuilder row = new StringBuilder(String.format("%-10s", "loss"));
    for (int l = 0; l < loss.length; l++) {
      head.append(String.format("%8s", level(HeldOutLoss.LEVELS[l])));
      row.append(String.format(Locale.ROOT, "%8.4f", loss[l]));
    }
    System.out.printf(
        Locale.ROOT,
        "held-out loss: model %s, %s scenes, %d examples per level (mean %.4f)%n%s%n%s%n",
        name,
        style.word(),
        examples,
        mean,
        head,
        row);
    return 0;
  }

  private static String level(float t) {
    return String.format(Locale.ROOT, "%s", t);
  }
}
