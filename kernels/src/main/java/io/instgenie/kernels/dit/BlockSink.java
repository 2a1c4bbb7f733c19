package io.instgenie.kernels.dit;

import io.instgenie.kernels.tensor.FloatBuf;

/** Receives a template run's block outputs Y_b for all L image tokens, in token order. */
public interface BlockSink {
  /** {@code y} holds L rows of H floats from element {@code off}; copy what you keep. */
  void accept(int block, FloatBuf y, long off);
}
