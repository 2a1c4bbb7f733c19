package io.instgenie.cli;

import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.EditException;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.io.Npy;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie forward}: one denoiser call on a [C, S, S] float32 .npy, for cross-checking
 * implementations.
 */
@Command(
    name = "forward",
    description =
        "Evaluate the velocity v(x, t, prompt) once; x and the output are C×S×S float32 .npy files.")
final class ForwardCommand implements Callable<Integer> {
  @Option(names = "--x", required = true, paramLabel = "x.npy")
  Path x;

  @Option(names = "--t", required = true, description = "Noise level in [0, 1] (1 = pure noise).")
  float t;

  @Option(names = "--prompt", defaultValue = "")
  String prompt;

  @Option(names = "--out", required = true, paramLabel = "v.npy")
  Path out;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (!(t >= 0 && t <= 1)) throw new EditException("--t must be in [0, 1], got " + t);
    OutputFiles.checkWritable(out, "--out");
    DitModel model = modelOptions.load();
    ModelConfig c = model.config();
    int[] ids = Prompts.encode(c, prompt);
    Npy.NpyArray in = Npy.read(x);
    long[] want = {c.channels(), c.imageSize(), c.imageSize()};
    if (!Arrays.equals(in.shape(), want)) {
      throw new EditException(
          x
              + " has shape "
              + Arrays.toString(in.shape())
              + "; the model takes "
              + Arrays.toString(want));
    }
    float[] v = new float[c.imageTokens() * c.patchDim()];
    new DitForward(model, modelOptions.backend())
        .run(
            List.of(Sequence.full(t, ids, Patches.fromChw(in.data(), c), c.imageTokens(), v, null)),
            null);
    Npy.write(out, want, Patches.toChw(v, c));
    return 0;
  }
}
