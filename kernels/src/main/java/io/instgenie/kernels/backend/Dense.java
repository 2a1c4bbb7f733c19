package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * A linear layer's parameters: weight rows [n, k] (row stride k, PyTorch's layout) from element
 * {@code weightOff} of {@code weight}, and the bias (n values from {@code biasOff}), or no bias
 * when {@code bias} is null. k and n are the call's ({@link Backend#linear}).
 */
public record Dense(FloatBuf weight, long weightOff, FloatBuf bias, long biasOff) {

  /** Weight and bias from element 0; {@code bias} may be null. */
  public static Dense of(FloatBuf weight, FloatBuf bias) {
    return new Dense(weight, 0, bias, 0);
  }

  /** Weight from element 0, no bias. */
  public static Dense of(FloatBuf weight) {
    return new Dense(weight, 0, null, 0);
  }

  /**
   * The layer's outputs from output {@code j} on: weight rows from row j (rows {@code k} wide) and
   * bias from value j, e.g. only the k and v thirds of a fused qkv projection.
   */
  public Dense outputsFrom(long j, int k) {
    return new Dense(weight, weightOff + j * k, bias, biasOff + j);
  }
}
