package io.instgenie.kernels.dit;

import io.instgenie.kernels.tensor.FloatBuf;

/** Cached block outputs Y_b of one template at one denoising step (the masked forward's cache). */
public interface BlockSource {
  /**
   * Writes Y_b[token] for each of {@code tokens} into consecutive rows of {@code dst} starting at
   * element {@code dstOff}, each row H floats. May block until block b has been loaded.
   */
  void gather(int block, int[] tokens, FloatBuf dst, long dstOff);

  /**
   * A stable identity of the rows this source serves (one template at one step, values that no
   * longer change), so a device backend may keep them in device memory across forwards; null (the
   * default) when they are not to be kept.
   */
  default Object deviceKey() {
    return null;
  }

  /** {@code src}'s rows under the device key {@code key} (see {@link #deviceKey}). */
  static BlockSource withDeviceKey(BlockSource src, Object key) {
    return new BlockSource() {
      @Override
      public void gather(int block, int[] tokens, FloatBuf dst, long dstOff) {
        src.gather(block, tokens, dst, dstOff);
      }

      @Override
      public Object deviceKey() {
        return key;
      }
    };
  }
}
