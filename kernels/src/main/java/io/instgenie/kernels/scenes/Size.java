package io.instgenie.kernels.scenes;

import java.util.Locale;

/** Object sizes: the radius of the shape's frame, 6, 10 or 14 px in a 64×64 image. */
public enum Size {
  SMALL(6),
  MEDIUM(10),
  LARGE(14);

  private final int radiusAt64;

  Size(int radiusAt64) {
    this.radiusAt64 = radiusAt64;
  }

  /** The vocabulary word, e.g. {@code "small"}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Radius in an image of side {@code imageSize}: the 64-px radius scaled, rounded, ≥ 1. */
  public int radius(int imageSize) {
    return Math.max(1, (int) Math.round(radiusAt64 * imageSize / 64.0));
  }
}
