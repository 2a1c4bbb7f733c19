package io.instgenie.kernels.io;

import java.util.Objects;

/** A single-channel mask: one unsigned 0..255 level per pixel, row-major, shared not copied. */
public record MaskImage(int width, int height, byte[] levels) {

  public MaskImage {
    Objects.requireNonNull(levels, "levels");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
    }
    long expected = (long) width * height;
    if (levels.length != expected) {
      throw new IllegalArgumentException(
          "a "
              + width
              + "x"
              + height
              + " mask needs "
              + expected
              + " levels, got "
              + levels.length);
    }
  }

  /** The level at (x, y) as 0..255. */
  public int level(int x, int y) {
    return levels[y * width + x] & 0xFF;
  }
}
