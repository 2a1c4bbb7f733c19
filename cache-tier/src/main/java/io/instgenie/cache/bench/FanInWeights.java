package io.instgenie.cache.bench;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Weights;
import java.util.Map;

/**
 * A random model whose blocks matter: the preset's N(0, 0.02) weights rescaled so every matrix
 * [out, in] has standard deviation 1/√in and the prompt tables 1 (biases stay at 0.02). With 0.02
 * everywhere the adaLN gates are near zero, each block is almost the identity, and an edit's masked
 * tokens hardly depend on the other tokens (nor on the cache); here attention mixes tokens with
 * logits of order one, closer to how a trained model depends on its context.
 */
public final class FanInWeights {
  private static final double INIT_STD = 0.02;

  private FanInWeights() {}

  public static DitModel model(ModelConfig c, long seed) {
    Map<String, TensorData> t = ModelFiles.randomWeights(c, seed);
    for (Map.Entry<String, TensorData> e : t.entrySet()) {
      long[] shape = e.getValue().shape();
      if (shape.length != 2) continue;
      boolean table = e.getKey().startsWith("prompt_");
      double scale = (table ? 1.0 : 1.0 / Math.sqrt(shape[1])) / INIT_STD;
      float[] v = e.getValue().data();
      for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * scale);
    }
    return DitModel.of(c, Weights.of(c, t));
  }
}
