package io.instgenie.kernels.scenes;

import java.util.Objects;

/** One object of a scene: a shape of one colour and size, centred on pixel (cx, cy). */
public record SceneObject(Shape shape, Colour colour, Size size, int cx, int cy, int radius) {

  public SceneObject {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(colour, "colour");
    Objects.requireNonNull(size, "size");
    if (radius < 1) throw new IllegalArgumentException("radius must be positive, got " + radius);
  }

  /** The (2r+1)² square the shape is drawn in; scenes keep these apart. */
  public Box frame() {
    return Box.around(cx, cy, radius);
  }

  /** The tight bounding box of the shape's pixels (smaller than the frame for a bar). */
  public Box box() {
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = Integer.MIN_VALUE;
    int y1 = Integer.MIN_VALUE;
    for (int dy = -radius; dy <= radius; dy++) {
      for (int dx = -radius; dx <= radius; dx++) {
        if (shape.covers(dx, dy, radius)) {
          x0 = Math.min(x0, cx + dx);
          y0 = Math.min(y0, cy + dy);
          x1 = Math.max(x1, cx + dx + 1);
          y1 = Math.max(y1, cy + dy + 1);
        }
      }
    }
    return new Box(x0, y0, x1, y1);
  }

  /** Whether pixel (x, y) belongs to the shape. */
  public boolean covers(int x, int y) {
    return shape.covers(x - cx, y - cy, radius);
  }
}
