package io.instgenie.kernels.dit;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.model.ModelConfig;

/**
 * Floating-point operations (2 per multiply-add) of the GEMM-shaped work in one denoiser
 * evaluation: the linear layers and both attention products. Elementwise work is not counted.
 */
public final class FlopModel {
  private FlopModel() {}

  /**
   * One block for one sequence with {@code q} query rows out of {@code n}; the other rows need K
   * and V only.
   */
  public static double block(ModelConfig c, int q, int n) {
    double h = c.hiddenSize();
    double qkv = 2.0 * q * h * 3 * h + 2.0 * (n - q) * h * 2 * h;
    double attention = 2.0 * 2.0 * q * n * h;
    double proj = 2.0 * q * h * h;
    double mlp = 2.0 * 2.0 * q * h * c.mlpRatio() * h;
    return qkv + attention + proj + mlp;
  }

  /**
   * One block reading a K/V cache: {@code q} query rows out of {@code n}; the other rows' keys and
   * values come from the cache, so they cost no projection.
   */
  public static double blockKv(ModelConfig c, int q, int n) {
    double h = c.hiddenSize();
    return block(c, q, n) - 2.0 * (n - q) * h * 2 * h;
  }

  /**
   * A whole evaluation reading a cache of {@code kind} in every block (or recomputing every block):
   * the embedding of the tokens it needs, every block, the final layer on the computed tokens.
   */
  public static double sequence(ModelConfig c, int activeTokens, BlockMode mode, CacheKind kind) {
    if (mode == BlockMode.RECOMPUTE || kind == CacheKind.Y) {
      return sequence(c, activeTokens, mode);
    }
    int n = c.sequenceLength();
    int q = c.promptTokens() + activeTokens;
    double embed = 2.0 * activeTokens * c.patchDim() * c.hiddenSize();
    double fin = 2.0 * activeTokens * c.hiddenSize() * c.patchDim();
    return embed + c.depth() * blockKv(c, q, n) + fin;
  }

  /**
   * A whole evaluation: embedding of all tokens, every block, final layer on the computed tokens.
   */
  public static double sequence(ModelConfig c, int activeTokens, BlockMode mode) {
    int n = c.sequenceLength();
    int q = mode == BlockMode.RECOMPUTE ? n : c.promptTokens() + activeTokens;
    double embed = 2.0 * c.imageTokens() * c.patchDim() * c.hiddenSize();
    double fin = 2.0 * activeTokens * c.hiddenSize() * c.patchDim();
    return embed + c.depth() * block(c, q, n) + fin;
  }

  /** The full forward: every token computed. */
  public static double full(ModelConfig c) {
    return sequence(c, c.imageTokens(), BlockMode.RECOMPUTE);
  }
}
