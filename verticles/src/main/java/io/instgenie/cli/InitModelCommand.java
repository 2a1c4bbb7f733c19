package io.instgenie.cli;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code instgenie init-model}: a randomly initialised model folder. */
@Command(
    name = "init-model",
    description = "Write a model with every weight drawn from N(0, 0.02).")
final class InitModelCommand implements Callable<Integer> {
  @Option(
      names = "--preset",
      required = true,
      description = "tiny, bench, scene, scene-p4, shapes, shapes-deep or shapes-deeper")
  String preset;

  @Option(names = "--seed", defaultValue = "0", description = "Weight seed (default: 0)")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "DIR")
  Path out;

  @Option(
      names = "--dtype",
      defaultValue = "f32",
      description = "f32 or bf16 (default: ${DEFAULT-VALUE})")
  String dtype;

  @Option(names = "--force", description = "replace a model already in --out")
  boolean force;

  @Override
  public Integer call() {
    OutputFiles.checkFolder(out, "--out");
    if (!force && Files.exists(out.resolve("model.json")))
      throw new IllegalArgumentException(
          "--out "
              + out
              + " already holds a model (model.json); choose another folder or pass --force to"
              + " replace it");
    DType as =
        switch (dtype.toLowerCase(Locale.ROOT)) {
          case "f32" -> DType.F32;
          case "bf16" -> DType.BF16;
          default ->
              throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + dtype);
        };
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put(
        "command",
        "instgenie init-model --preset " + preset + " --seed " + seed + " --dtype " + dtype);
    provenance.put("seed", seed);
    ModelConfig c = Presets.byName(preset).withProvenance(provenance);
    ModelFiles.write(out, c, ModelFiles.randomWeights(c, seed), as);
    System.out.println(
        "wrote "
            + out
            + " ("
            + preset
            + ", "
            + c.imageTokens()
            + " image tokens, H "
            + c.hiddenSize()
            + ", depth "
            + c.depth()
            + ", "
            + as
            + ")");
    return 0;
  }
}
