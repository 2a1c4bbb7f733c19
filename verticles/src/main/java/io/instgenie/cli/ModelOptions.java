package io.instgenie.cli;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
      description = "auto, cuda, cpu or reference (default: ${DEFAULT-VALUE}).")
  String backend;

  DitModel load() {
    if (model != null) return DitModel.load(model);
    return defaultModel();
  }

  /**
   * The bundled model: from {@code models/default} under the working folder when present (a
   * checkout), else the copy embedded in the jar; without either, the bench preset with random
   * weights from seed 0 (deterministic, so edits and template ids are reproducible, but its edits
   * are noise).
   */
  static DitModel defaultModel() {
    if (Files.isRegularFile(BUNDLED.resolve("model.json"))) return DitModel.load(BUNDLED);
    Path embedded = extractEmbedded();
    if (embedded != null) return DitModel.load(embedded);
    LOG.log(
        Level.WARNING,
        "no trained model in " + BUNDLED + "; using the bench preset with random weights (seed 0)");
    return DitModel.random(Presets.bench(), 0);
  }

  /** Copies the jar's models/default to a temporary folder (deleted at exit); null if absent. */
  private static Path extractEmbedded() {
    ClassLoader cl = ModelOptions.class.getClassLoader();
    String[] files = {ModelFiles.CONFIG, ModelFiles.WEIGHTS};
    if (cl.getResource("models/default/" + files[0]) == null) return null;
    try {
      Path dir = Files.createTempDirectory("instgenie-model");
      dir.toFile().deleteOnExit();
      for (String f : files) {
        try (InputStream in = cl.getResourceAsStream("models/default/" + f)) {
          if (in == null) return null;
          Path to = dir.resolve(f);
          Files.copy(in, to);
          to.toFile().deleteOnExit();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded default model", e);
    }
  }

  Backend backend() {
    return Backends.byName(backend);
  }
}
