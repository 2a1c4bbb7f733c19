package io.instgenie.kernels.cached;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * The cached rows of one template at one denoising step (the masked forward's cache): block outputs
 * Y_b, or keys and values, as {@link #kind} says.
 */
public interface BlockSource {
  /**
   * Writes row {@code token} of block b's cache for each of {@code tokens} into consecutive rows of
   * {@code dst} starting at element {@code dstOff}, each row {@code kind().rowWidth(H)} floats. May
   * block until block b has been loaded.
   */
  void gather(int block, int[] tokens, FloatBuf dst, long dstOff);

  /**
   * As {@link #gather}, row r written at {@code dstOff + r·ld} ({@code ld} at least the row width):
   * K/V rows go straight into the columns of the packed q|k|v matrix. The default gathers into a
   * scratch buffer and copies; sources that decode rows override it.
   */
  default void gather(int block, int[] tokens, FloatBuf dst, long dstOff, int ld, int width) {
    if (ld == width) {
      gather(block, tokens, dst, dstOff);
      return;
    }
    FloatBuf rows = FloatBuf.allocate((long) tokens.length * width);
    gather(block, tokens, rows, 0);
    for (int i = 0; i < tokens.length; i++) {
      dst.copyFrom(rows, (long) i * width, dstOff + (long) i * ld, width);
    }
  }

  /** What the rows are; Y unless the source says otherwise. */
  default CacheKind kind() {
    return CacheKind.Y;
  }

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
      public void gather(int block, int[] tokens, FloatBuf dst, long dstOff, int ld, int width) {
        src.gather(block, tokens, dst, dstOff, ld, width);
      }

      @Override
      public CacheKind kind() {
        return src.kind();
      }

      @Override
      public Object deviceKey() {
        return key;
      }
    };
  }
}
