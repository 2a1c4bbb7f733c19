package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;

/**
 * Load-then-compute, the unpipelined way to read a stored template: every CACHE block of one step
 * is read in full before the forward starts, then gathered from those buffers (baseline (a) of the
 * cache benchmark). Gathers decode as {@link StoredActivations} does. The buffers are reused from
 * one {@link #load} to the next, so one instance serves one edit at a time.
 */
public final class LoadedStep implements BlockSource {
  private final ActivationShape shape;
  private final ByteBuffer[] buffers;
  private final boolean[] loaded;

  public LoadedStep(ActivationShape shape) {
    this.shape = shape;
    this.buffers = new ByteBuffer[shape.depth()];
    this.loaded = new boolean[shape.depth()];
    for (int b = 0; b < buffers.length; b++) {
      buffers[b] = DirectIo.segmentBuffer(shape.segmentBytes());
    }
  }

  /**
   * Reads step {@code k}'s segments from {@code src}, block after block, skipping the blocks {@code
   * plan} recomputes (null: every block); returns this, ready to gather.
   */
  public LoadedStep load(SegmentSource src, int k, BlockMode[] plan) {
    if (!src.shape().equals(shape))
      throw new IllegalArgumentException("source holds " + src.shape() + ", this step " + shape);
    if (plan != null && plan.length != shape.depth()) {
      throw new IllegalArgumentException(
          "a plan needs " + shape.depth() + " block modes, got " + plan.length);
    }
    for (int b = 0; b < shape.depth(); b++) {
      loaded[b] = shape.kind().reads(plan, b);
      if (loaded[b]) src.read(k, b, buffers[b]);
    }
    return this;
  }

  @Override
  public void gather(int block, int[] tokens, FloatBuf dst, long dstOff) {
    if (block < 0 || block >= shape.depth() || !loaded[block]) {
      throw new IllegalStateException(
          "block " + block + " was not loaded (the plan recomputes it, or it is out of range)");
    }
    gather(block, tokens, dst, dstOff, shape.rowWidth(), shape.rowWidth());
  }

  @Override
  public void gather(int block, int[] tokens, FloatBuf dst, long dstOff, int ld, int width) {
    if (block < 0 || block >= shape.depth() || !loaded[block]) {
      throw new IllegalStateException(
          "block " + block + " was not loaded (the plan recomputes it, or it is out of range)");
    }
    shape.precision().gather(buffers[block], shape.rowWidth(), tokens, dst, dstOff, ld);
  }

  @Override
  public CacheKind kind() {
    return shape.kind();
  }
}
