package io.instgenie.kernels.train;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.Map;
import java.util.Random;

/**
 * The initial weights of a training run, as DiT initialises them: Xavier-uniform linear layers with
 * zero biases, N(0, 0.02) embeddings and time MLP, and adaLN-Zero (every modulation layer and the
 * final linear start at zero, so each block starts as the identity).
 */
final class Init {
  private Init() {}

  static Params weights(ModelConfig c, long seed) {
    Params p = Params.zeros(c);
    Random r = new Random(seed);
    for (Map.Entry<String, FloatBuf> e : p.all().entrySet()) {
      String name = e.getKey();
      FloatBuf b = e.getValue();
      long[] shape = p.shape(name);
      if (name.endsWith(".bias") || name.contains("adaLN") || name.startsWith("final.linear")) {
        continue; // zeros
      }
      if (name.startsWith("prompt_") || name.startsWith("t_embedder")) {
        for (int i = 0; i < b.size(); i++) b.set(i, (float) (0.02 * r.nextGaussian()));
        continue;
      }
      double limit = Math.sqrt(6.0 / (shape[0] + shape[1]));
      for (int i = 0; i < b.size(); i++) b.set(i, (float) ((2 * r.nextDouble() - 1) * limit));
    }
    return p;
  }
}
