package io.instgenie.kernels.scenes;

import io.instgenie.kernels.io.RgbImage;
import java.util.List;
import java.util.Objects;

/**
 * A generated scene: background, objects (most salient first, frames disjoint), caption and the
 * rendered size×size image. The image's bytes are shared, not copied: do not modify them.
 */
public record Scene(
    int size, Background background, List<SceneObject> objects, String caption, RgbImage image) {

  public Scene {
    Objects.requireNonNull(background, "background");
    Objects.requireNonNull(caption, "caption");
    Objects.requireNonNull(image, "image");
    objects = List.copyOf(objects);
    if (image.width() != size || image.height() != size) {
      throw new IllegalArgumentException("a " + size + "-px scene needs a " + size + "² image");
    }
  }

  /**
   * The image as channel-major [3, size, size] floats, byte/127.5 − 1 in [-1, 1]: the layout of
   * {@code Patches.fromChw}, which gives exactly {@code Patches.fromImage(image())}.
   */
  public float[] pixels() {
    float[] out = new float[3 * size * size];
    pixelsInto(out, 0);
    return out;
  }

  /** {@link #pixels()} written into {@code out[offset .. offset + 3·size²)}, e.g. a batch. */
  public void pixelsInto(float[] out, int offset) {
    byte[] rgb = image.pixels();
    int plane = size * size;
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        out[offset + c * plane + i] = (rgb[3 * i + c] & 0xFF) / 127.5f - 1f;
      }
    }
  }

  /** Draws the background, then each object over it. */
  static RgbImage render(int size, Background background, List<SceneObject> objects) {
    byte[] px = new byte[3 * size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int v = background.rgb(x, y, size);
        put(px, (y * size + x) * 3, v >> 16, v >> 8, v);
      }
    }
    for (SceneObject o : objects) {
      Colour c = o.colour();
      Box f = o.frame();
      for (int y = Math.max(0, f.y0()); y < Math.min(size, f.y1()); y++) {
        for (int x = Math.max(0, f.x0()); x < Math.min(size, f.x1()); x++) {
          if (o.covers(x, y)) put(px, (y * size + x) * 3, c.r(), c.g(), c.b());
        }
      }
    }
    return new RgbImage(size, size, px);
  }

  private static void put(byte[] px, int at, int r, int g, int b) {
    px[at] = (byte) r;
    px[at + 1] = (byte) g;
    px[at + 2] = (byte) b;
  }
}
