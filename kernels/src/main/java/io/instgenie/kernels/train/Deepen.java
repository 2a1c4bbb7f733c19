package io.instgenie.kernels.train;

import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained model's weights as the start of a deeper model of the same widths: block i becomes
 * block i·f (f = the depth ratio) and the blocks between start as DiT initialises them, whose
 * adaLN-Zero modulation makes each one the identity. The deeper model therefore computes exactly
 * what the trained one did, and training goes on from there with more blocks to learn with, instead
 * of from scratch.
 */
public final class Deepen {
  private Deepen() {}

  /** Whether {@code to} differs from {@code from} only in a depth that is a multiple of its own. */
  public static boolean applies(ModelConfig from, ModelConfig to) {
    if (to.depth() <= from.depth() || to.depth() % from.depth() != 0) return false;
    ModelConfig same =
        new ModelConfig(
            from.format(),
            from.imageSize(),
            from.channels(),
            from.patchSize(),
            from.hiddenSize(),
            to.depth(),
            from.numHeads(),
            from.mlpRatio(),
            from.promptTokens(),
            from.vocab(),
            to.defaultSteps(),
            to.defaultGuidance(),
            null);
    return Trainer.sameArchitecture(same, to);
  }

  /** The weights of {@code to} grown from {@code weights} of {@code from} (seeded new blocks). */
  public static Map<String, TensorData> weights(
      ModelConfig from, Map<String, TensorData> weights, ModelConfig to, long seed) {
    if (!applies(from, to)) {
      throw new IllegalArgumentException(
          "a depth-" + from.depth() + " model cannot grow into this depth-" + to.depth() + " one");
    }
    int f = to.depth() / from.depth();
    Map<String, TensorData> out = new LinkedHashMap<>(Init.weights(to, seed).toTensors());
    String prefix = "blocks.";
    for (Map.Entry<String, TensorData> e : weights.entrySet()) {
      String name = e.getKey();
      String target = name;
      if (name.startsWith(prefix)) {
        int dot = name.indexOf('.', prefix.length());
        int b = Integer.parseInt(name.substring(prefix.length(), dot));
        target = WeightNames.block(b * f, name.substring(dot + 1));
      }
      TensorData was = out.get(target);
      if (was == null || !Arrays.equals(was.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("tensor " + name + " has no place in the deeper model");
      }
      out.put(target, e.getValue());
    }
    return out;
  }
}
