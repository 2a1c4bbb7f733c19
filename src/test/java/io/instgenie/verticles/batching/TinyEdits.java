package io.instgenie.verticles.batching;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import java.util.Random;

/** Edits on the tiny preset for the step-loop tests: a random template, its first pixels masked. */
final class TinyEdits {
  private TinyEdits() {}

  /**
   * A {@code steps}-step "a red circle" edit with noise seed {@code seed}, on the template drawn
   * from {@code templateSeed}, its first {@code maskedPixels} pixels masked.
   */
  static PreparedEdit edit(
      DitModel model, long templateSeed, long seed, int steps, int maskedPixels) {
    ModelConfig c = model.config();
    byte[] px = new byte[c.imageSize() * c.imageSize() * 3];
    new Random(templateSeed).nextBytes(px);
    byte[] mask = new byte[c.imageSize() * c.imageSize()];
    for (int i = 0; i < maskedPixels; i++) mask[i] = (byte) 255;
    EditRequest r =
        new EditRequest(
            new RgbImage(c.imageSize(), c.imageSize(), px),
            new MaskImage(c.imageSize(), c.imageSize(), mask),
            "a red circle",
            steps,
            seed,
            null);
    return PreparedEdit.of(r, c, model.digest(), seed);
  }

  /** As above, each seed its own template, 40 pixels masked. */
  static PreparedEdit edit(DitModel model, long seed, int steps) {
    return edit(model, seed, seed, steps, 40);
  }
}
