package io.instgenie.kernels.train;

import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The rectified-flow loss of a model on examples it was never trained on, per noise level: how
 * recipes are compared (issue 15). Example seeds come from a stream no training step draws (the
 * trainer mixes run seed, step and index; these mix a fixed tag and the index only), noise from the
 * example seed and the level; captions are kept (no dropout), so the figure is the prompted
 * velocity's error, the one edits use.
 */
public final class HeldOutLoss {
  /** The noise levels reported by default. */
  public static final float[] LEVELS = {0.05f, 0.1f, 0.2f, 0.3f, 0.5f, 0.7f, 0.9f, 0.99f};

  /** Sequences run together through the forward. */
  private static final int CHUNK = 16;

  private HeldOutLoss() {}

  /** The seed of held-out example i. */
  static long exampleSeed(int i) {
    return Trainer.exampleSeed(0x48454C444F5554L, -1, i); // "HELDOUT", step −1: never trained on
  }

  /** Mean squared velocity error over {@code examples} held-out examples, one value per level. */
  public static double[] measure(DitForward f, Trainer.Data data, int examples, float[] levels) {
    ModelConfig c = f.config();
    int values = c.imageTokens() * c.patchDim();
    double[] out = new double[levels.length];
    for (int l = 0; l < levels.length; l++) {
      float t = levels[l];
      double sum = 0;
      for (int from = 0; from < examples; from += CHUNK) {
        int n = Math.min(CHUNK, examples - from);
        List<Sequence> seqs = new ArrayList<>(n);
        float[][] targets = new float[n][];
        float[][] velocities = new float[n][];
        for (int k = 0; k < n; k++) {
          long seed = exampleSeed(from + k);
          Trainer.Example ex = data.example(seed);
          float[] x0 = Patches.fromChw(ex.chw(), c);
          Random r = new Random(seed ^ Float.floatToIntBits(t));
          float[] xt = new float[values];
          targets[k] = new float[values];
          for (int j = 0; j < values; j++) {
            float eps = (float) r.nextGaussian();
            xt[j] = (1 - t) * x0[j] + t * eps; // x_t = (1 − t)·x₀ + t·ε
            targets[k][j] = eps - x0[j]; // v = ε − x₀
          }
          velocities[k] = new float[values];
          int[] ids = Prompts.encode(c, ex.caption());
          seqs.add(Sequence.full(t, ids, xt, c.imageTokens(), velocities[k], null));
        }
        f.run(seqs, null);
        for (int k = 0; k < n; k++) {
          for (int j = 0; j < values; j++) {
            double d = velocities[k][j] - targets[k][j];
            sum += d * d;
          }
        }
      }
      out[l] = sum / ((double) examples * values);
    }
    return out;
  }
}
