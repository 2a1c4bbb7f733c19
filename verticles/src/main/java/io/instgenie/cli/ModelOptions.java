package io.instgenie.cli;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.Presets;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model} and {@code --backend}, shared by the commands that run the model. */
final class ModelOptions {
  private static final System.Logger LOG = System.getLogger(ModelOptions.class.getName());

  /** Where the trained default model lives in a checkout (issue 6 fills it). */
  static final Path BUNDLED = Path.of("models", "default");

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model folder (model.json + weights.safetensors). Default: the bundled model.")
  Path model;

  @Option(
      names = "--backend",
      defaultValue = "auto",
      description = "auto, cpu or reference (default: ${DEFAULT-VALUE}).")
  String backend;

  DitModel load() {
    if (model != null) return DitModel.load(model);
    return defaultModel();
  }

  /**
   * The bundled model if present; otherwise the bench preset with random weights from seed 0
   * (deterministic, so edits and template ids are reproducible, but its edits are noise).
   */
  static DitModel defaultModel() {
    if (Files.isRegularFile(BUNDLED.resolve("model.json"))) return DitModel.load(BUNDLED);
    LOG.log(
        Level.WARNING,
        "no trained model in " + BUNDLED + "; using the bench preset with random weights (seed 0)");
    return DitModel.random(Presets.bench(), 0);
  }

  Backend backend() {
    return Backends.byName(backend);
  }
}
