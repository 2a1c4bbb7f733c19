package io.instgenie.cache.bench;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import java.util.Arrays;
import java.util.List;

/** Square RGB images of one size laid out in rows, scaled up without smoothing: galleries. */
public final class ImageGrid {
  private ImageGrid() {}

  /**
   * Rows of size×size RGB images (packed R, G, B), each scaled {@code zoom} times (nearest
   * neighbour), separated and framed by {@code gutter} white pixels; rows may differ in length.
   */
  public static RgbImage of(List<List<byte[]>> rows, int size, int zoom, int gutter) {
    int cell = size * zoom;
    int cols = rows.stream().mapToInt(List::size).max().orElse(0);
    int w = cols * cell + (cols + 1) * gutter;
    int h = rows.size() * cell + (rows.size() + 1) * gutter;
    byte[] px = new byte[w * h * 3];
    Arrays.fill(px, (byte) 255);
    for (int r = 0; r < rows.size(); r++) {
      int y0 = gutter + r * (cell + gutter);
      for (int col = 0; col < rows.get(r).size(); col++) {
        byte[] image = rows.get(r).get(col);
        int x0 = gutter + col * (cell + gutter);
        for (int y = 0; y < cell; y++) {
          for (int x = 0; x < cell; x++) {
            int src = ((y / zoom) * size + x / zoom) * 3;
            System.arraycopy(image, src, px, ((y0 + y) * w + x0 + x) * 3, 3);
          }
        }
      }
    }
    return new RgbImage(w, h, px);
  }

  /** A mask as packed RGB: white where edited (level ≥ 128, as the engine reads it), else black. */
  public static byte[] maskRgb(MaskImage m) {
    byte[] out = new byte[m.levels().length * 3];
    for (int i = 0; i < m.levels().length; i++) {
      Arrays.fill(out, 3 * i, 3 * i + 3, (m.levels()[i] & 0xFF) >= 128 ? (byte) 255 : 0);
    }
    return out;
  }
}
