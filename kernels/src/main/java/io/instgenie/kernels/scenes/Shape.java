package io.instgenie.kernels.scenes;

import java.util.Locale;

/**
 * Object shapes, rasterised on pixel centres: {@link #covers} says whether the pixel at offset (dx,
 * dy) from the centre belongs to a shape of radius r, whose frame is the (2r+1)² square around the
 * centre. Integer rules throughout except the stars, whose vertices come from {@link StrictMath},
 * so every JVM draws the same pixels.
 */
public enum Shape {
  CIRCLE,
  SQUARE,
  TRIANGLE,
  DIAMOND,
  STAR,
  RING,
  CROSS,
  BAR,
  /**
   * The simple scenes' star (word "star" too): it fills its frame (its top point and feet touch the
   * frame, its side points come within a pixel of it) and takes a pixel when at least half of a 4×4
   * grid of samples in it falls inside. {@link #STAR}, tested on pixel centres alone and spanning
   * only 0.81 of its radius below the centre, is at radius 5 a blob with a one-pixel spike and no
   * legs, which neither a small model nor the shape measure tells from a circle; the classic scenes
   * keep it.
   */
  FILLED_STAR;

  /** Five-pointed star, point up: outer vertices at unit radius, inner ones at {@code INNER}. */
  private static final double INNER = 0.5;

  private static final double[] STAR_X = new double[10];
  private static final double[] STAR_Y = new double[10];

  /** The star stretched to span [−1, 1] both ways: the filled star's outline. */
  private static final double[] FILLED_X = new double[10];

  private static final double[] FILLED_Y = new double[10];

  /** Samples per pixel side when rasterising the filled star. */
  private static final int SAMPLES = 4;

  static {
    for (int k = 0; k < 10; k++) {
      double a = -Math.PI / 2 + k * Math.PI / 5;
      double rad = k % 2 == 0 ? 1 : INNER;
      STAR_X[k] = rad * StrictMath.cos(a);
      STAR_Y[k] = rad * StrictMath.sin(a);
    }
    double xMax = STAR_X[2]; // the right point; the top is y = −1, the feet at y[4] = y[6]
    double yMax = STAR_Y[4];
    for (int k = 0; k < 10; k++) {
      FILLED_X[k] = STAR_X[k] / xMax;
      FILLED_Y[k] = (STAR_Y[k] + 1) / (yMax + 1) * 2 - 1;
    }
  }

  /** The vocabulary word, e.g. {@code "circle"}; both stars are "star". */
  public String word() {
    return this == FILLED_STAR ? STAR.word() : name().toLowerCase(Locale.ROOT);
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
      case STAR -> inside(STAR_X, STAR_Y, dx / (double) r, dy / (double) r);
      case FILLED_STAR -> filledStarCovers(dx, dy, r);
      case RING -> d2 <= r * r + r && d2 > (r / 2) * (r / 2) + r / 2;
      case CROSS -> ax <= t || ay <= t;
      case BAR -> ay <= t;
    };
  }

  /**
   * Whether at least half of the pixel's SAMPLES² samples fall inside the filled star, pixel (dx,
   * dy) spanning [dx − ½, dx + ½] and the frame [−r − ½, r + ½].
   */
  private static boolean filledStarCovers(int dx, int dy, int r) {
    int in = 0;
    double half = r + 0.5;
    for (int sy = 0; sy < SAMPLES; sy++) {
      double y = (dy + (sy + 0.5) / SAMPLES - 0.5) / half;
      for (int sx = 0; sx < SAMPLES; sx++) {
        if (inside(FILLED_X, FILLED_Y, (dx + (sx + 0.5) / SAMPLES - 0.5) / half, y)) in++;
      }
    }
    return 2 * in >= SAMPLES * SAMPLES;
  }

  /** Even-odd ray casting against the polygon (px, py). */
  private static boolean inside(double[] px, double[] py, double x, double y) {
    boolean in = false;
    for (int i = 0, j = px.length - 1; i < px.length; j = i++) {
      if ((py[i] > y) != (py[j] > y)
          && x < (px[j] - px[i]) * (y - py[i]) / (py[j] - py[i]) + px[i]) {
        in = !in;
      }
    }
    return in;
  }
}
