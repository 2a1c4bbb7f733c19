package io.instgenie.kernels.cached;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * Receives a template run's cached rows for all L image tokens, in token order: the block outputs
 * Y_b, or the keys and values of the block's attention, as {@link #kind} asks.
 */
public interface BlockSink {
  /**
   * {@code y} holds L rows of {@code kind().rowWidth(H)} floats from element {@code off}; copy what
   * you keep.
   */
  void accept(int block, FloatBuf y, long off);

  /** What to record; Y unless the sink asks for K/V. */
  default CacheKind kind() {
    return CacheKind.Y;
  }
}
