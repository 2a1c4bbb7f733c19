package io.instgenie.kernels.scenes;

/** A pixel rectangle: columns x0 ≤ x < x1, rows y0 ≤ y < y1. */
public record Box(int x0, int y0, int x1, int y1) {

  public Box {
    if (x1 <= x0 || y1 <= y0) {
      throw new IllegalArgumentException("empty box " + x0 + "," + y0 + " .. " + x1 + "," + y1);
    }
  }

  /** The (2r+1)² square centred on (cx, cy). */
  public static Box around(int cx, int cy, int r) {
    return new Box(cx - r, cy - r, cx + r + 1, cy + r + 1);
  }

  public int width() {
    return x1 - x0;
  }

  public int height() {
    return y1 - y0;
  }

  public int area() {
    return width() * height();
  }

  public boolean contains(int x, int y) {
    return x >= x0 && x < x1 && y >= y0 && y < y1;
  }

  public boolean contains(Box o) {
    return o.x0 >= x0 && o.x1 <= x1 && o.y0 >= y0 && o.y1 <= y1;
  }

  public boolean intersects(Box o) {
    return o.x0 < x1 && x0 < o.x1 && o.y0 < y1 && y0 < o.y1;
  }

  /** This box grown by {@code d} pixels on every side. */
  public Box grow(int d) {
    return new Box(x0 - d, y0 - d, x1 + d, y1 + d);
  }

  /** Whether the box lies inside an image of side {@code size}. */
  public boolean inside(int size) {
    return x0 >= 0 && y0 >= 0 && x1 <= size && y1 <= size;
  }
}
