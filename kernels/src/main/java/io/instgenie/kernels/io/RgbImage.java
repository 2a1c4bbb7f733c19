package io.instgenie.kernels.io;

import java.util.Objects;

/** An 8-bit sRGB image: R, G, B interleaved, row-major, width*height*3 bytes, not copied. */
public record RgbImage(int width, int height, byte[] pixels) {

  public RgbImage {
    Objects.requireNonNull(pixels, "pixels");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + width + "x" + height);
    }
    long expected = 3L * width * height;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "a "
              + width
              + "x"
              + height
              + " RGB image needs "
              + expected
              + " bytes, got "
              + pixels.length);
    }
  }
}
