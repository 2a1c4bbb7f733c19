package io.instgenie.kernels.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensor names and shapes an instgenie-dit/1 model must have (DESIGN.md), in canonical order.
 */
public final class WeightNames {
  private WeightNames() {}

  public static String block(int b, String name) {
    return "blocks." + b + "." + name;
  }

  /** name → shape for every tensor of {@code c}. */
  public static Map<String, long[]> expected(ModelConfig c) {
    int h = c.hiddenSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("prompt_embed.weight", new long[] {c.vocab().size(), h});
    m.put("prompt_pos", new long[] {c.promptTokens(), h});
    linear(m, "x_embedder", h, c.patchDim());
    linear(m, "t_embedder.mlp.0", h, ModelConfig.TIME_FREQ);
    linear(m, "t_embedder.mlp.2", h, h);
    for (int b = 0; b < c.depth(); b++) {
      linear(m, block(b, "adaLN"), 6 * h, h);
      linear(m, block(b, "attn.qkv"), 3 * h, h);
      linear(m, block(b, "attn.proj"), h, h);
      linear(m, block(b, "mlp.fc1"), c.mlpRatio() * h, h);
      linear(m, block(b, "mlp.fc2"), h, c.mlpRatio() * h);
    }
    linear(m, "final.adaLN", 2 * h, h);
    linear(m, "final.linear", c.patchDim(), h);
    return m;
  }

  private static void linear(Map<String, long[]> m, String name, int out, int in) {
    m.put(name + ".weight", new long[] {out, in});
    m.put(name + ".bias", new long[] {out});
  }
}
