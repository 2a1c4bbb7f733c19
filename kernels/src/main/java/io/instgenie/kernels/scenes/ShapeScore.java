package io.instgenie.kernels.scenes;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import java.util.List;

/**
 * Whether an edit drew the asked shape. The region is the masked pixels whose nearest palette
 * colour is the asked colour; each candidate shape's silhouette is fitted to it (the two radii
 * whose areas bracket the region's, moved so that the silhouette's centroid is within a pixel of
 * the region's) and the shape whose best fit has the highest intersection over union wins.
 * Deterministic, no learnt parts; its accuracy on the generator's own objects is tested.
 */
public final class ShapeScore {
  /**
   * The least IoU of the winning fit for a shape to count as drawn: a few speckles of the asked
   * colour are nearest to some silhouette too, but they are not a drawing of it.
   */
  public static final double MIN_IOU = 0.5;

  /** The winning shape and its IoU; {@code shape} is null for an empty region. */
  public record Fit(Shape shape, double iou) {}

  /** The least silhouette radius fitted: below a 7×7 frame the shapes are not told apart. */
  static final int MIN_RADIUS = 3;

  private ShapeScore() {}

  /**
   * Masked pixels (level ≥ 128) of {@code image} whose nearest palette colour is {@code colour}.
   */
  public static boolean[] region(RgbImage image, MaskImage mask, Colour colour) {
    if (image.width() != mask.width() || image.height() != mask.height()) {
      throw new IllegalArgumentException("mask and image differ in size");
    }
    boolean[] out = new boolean[image.width() * image.height()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (mask.levels()[i] & 0xFF) >= 128 && Colour.nearest(image.pixels(), i) == colour;
    }
    return out;
  }

  /** The candidate that fits the size×size {@code region} best. */
  public static Fit classify(boolean[] region, int size, List<Shape> candidates) {
    int area = 0;
    double sx = 0;
    double sy = 0;
    for (int i = 0; i < region.length; i++) {
      if (!region[i]) continue;
      area++;
      sx += i % size;
      sy += i / size;
    }
    if (area == 0) return new Fit(null, 0);
    double cx = sx / area;
    double cy = sy / area;
    Fit best = new Fit(null, -1);
    for (Shape s : candidates) {
      double iou = bestIou(region, size, area, cx, cy, s);
      if (iou > best.iou()) best = new Fit(s, iou);
    }
    return best;
  }

  /**
   * Whether the edited image draws the case's target shape in its colour inside the mask: the
   * target wins the fit, with an IoU of at least {@link #MIN_IOU}.
   */
  public static boolean draws(EditCase c, RgbImage edited, List<Shape> candidates) {
    return draws(c, fit(c, edited, candidates));
  }

  /** Whether {@code f}, the fit of an edit of case {@code c}, counts as drawing its target. */
  public static boolean draws(EditCase c, Fit f) {
    return recognised(f) == c.target().shape();
  }

  /** The shape a fit recognises: its winner, or null below {@link #MIN_IOU} (or no region). */
  public static Shape recognised(Fit f) {
    return f.iou() >= MIN_IOU ? f.shape() : null;
  }

  /** The best fit to the asked-colour region inside the case's mask of the edited image. */
  public static Fit fit(EditCase c, RgbImage edited, List<Shape> candidates) {
    return classify(region(edited, c.mask(), c.colour()), edited.width(), candidates);
  }

  /** The best IoU of shape {@code s} against the region over the bracketing radii and offsets. */
  private static double bestIou(
      boolean[] region, int size, int area, double cx, double cy, Shape s) {
    int lo = MIN_RADIUS;
    while (lo < size && silhouetteArea(s, lo + 1) <= area) lo++;
    double best = 0;
    for (int r = lo; r <= lo + 1; r++) {
      double[] g = silhouetteCentroid(s, r);
      int ox = (int) Math.round(cx - g[0]);
      int oy = (int) Math.round(cy - g[1]);
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          best = Math.max(best, iou(region, size, area, s, r, ox + dx, oy + dy));
        }
      }
    }
    return best;
  }

  /** IoU of the region ({@code area} pixels) with shape s of radius r centred on (ox, oy). */
  private static double iou(boolean[] region, int size, int area, Shape s, int r, int ox, int oy) {
    int inter = 0;
    int silhouette = 0;
    for (int dy = -r; dy <= r; dy++) {
      for (int dx = -r; dx <= r; dx++) {
        if (!s.covers(dx, dy, r)) continue;
        silhouette++;
        int x = ox + dx;
        int y = oy + dy;
        if (x >= 0 && y >= 0 && x < size && y < size && region[y * size + x]) inter++;
      }
    }
    return inter / (double) (area + silhouette - inter);
  }

  private static int silhouetteArea(Shape s, int r) {
    int n = 0;
    for (int dy = -r; dy <= r; dy++) {
      for (int dx = -r; dx <= r; dx++) if (s.covers(dx, dy, r)) n++;
    }
    return n;
  }

  /** The centroid of shape s of radius r drawn around the origin, as {dx, dy}. */
  private static double[] silhouetteCentroid(Shape s, int r) {
    double x = 0;
    double y = 0;
    int n = 0;
    for (int dy = -r; dy <= r; dy++) {
      for (int dx = -r; dx <= r; dx++) {
        if (!s.covers(dx, dy, r)) continue;
        x += dx;
        y += dy;
        n++;
      }
    }
    return new double[] {x / n, y / n};
  }
}
