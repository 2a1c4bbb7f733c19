package io.instgenie.kernels.scenes;

import java.util.Locale;

/**
 * Object shapes, rasterised on pixel centres: {@link #covers} says whether the pixel at offset (dx,
 * dy) from the centre belongs to a shape of radius r, whose frame is the (2r+1)² square around the
 * centre. Integer rules throughout except the star, whose vertices come from {@link StrictMath}, so
 * every JVM draws the same pixels.
 */
public enum Shape {
  CIRCLE,
  SQUARE,
  TRIANGLE,
  DIAMOND,
  STAR,
  RING,
  CROSS,
  BAR;

  /** Five-pointed star, point up: outer vertices at unit radius, inner ones at {@code INNER}. */
  private static final double INNER = 0.5;

  private static final double[] STAR_X = new double[10];
  private static final double[] STAR_Y = new double[10];

  static {
    for (int k = 0; k < 10; k++) {
      double a = -Math.PI / 2 + k * Math.PI / 5;
      double rad = k % 2 == 0 ? 1 : INNER;
      STAR_X[k] = rad * StrictMath.cos(a);
      STAR_Y[k] = rad * StrictMath.sin(a);
    }
  }

  /** The vocabulary word, e.g. {@code "circle"}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether pixel (cx+dx, cy+dy) is inside this shape of radius r centred on (cx, cy). */
  public boolean covers(int dx, int dy, int r) {
    int ax = Math.abs(dx);
    int ay = Math.abs(dy);
    if (ax > r || ay > r) return false;
    int d2 = dx * dx + dy * dy;
    int t = Math.max(1, r / 3); // half-thickness of cross arms and bars
    return switch (this) {
      case CIRCLE -> d2 <= r * r + r; // r² + r: rounder than r² on a pixel grid
      case SQUARE -> true;
      case TRIANGLE -> 2 * ax <= dy + r; // apex (0, -r), base row dy = r from -r to r
      case DIAMOND -> ax + ay <= r;
      case STAR -> inStar(dx / (double) r, dy / (double) r);
      case RING -> d2 <= r * r + r && d2 > (r / 2) * (r / 2) + r / 2;
      case CROSS -> ax <= t || ay <= t;
      case BAR -> ay <= t;
    };
  }

  /** Even-odd ray casting against the unit star polygon. */
  private static boolean inStar(double x, double y) {
    boolean in = false;
    for (int i = 0, j = 9; i < 10; j = i++) {
      if ((STAR_Y[i] > y) != (STAR_Y[j] > y)
          && x < (STAR_X[j] - STAR_X[i]) * (y - STAR_Y[i]) / (STAR_Y[j] - STAR_Y[i]) + STAR_X[i]) {
        in = !in;
      }
    }
    return in;
  }
}
