package io.instgenie.kernels.scenes;

import java.util.Locale;

/** The scene palette: one canonical sRGB value per colour word of the vocabulary. */
public enum Colour {
  RED(220, 30, 30),
  GREEN(30, 160, 50),
  BLUE(30, 70, 220),
  YELLOW(245, 225, 30),
  ORANGE(245, 135, 20),
  PURPLE(120, 40, 170),
  CYAN(40, 210, 225),
  MAGENTA(225, 50, 200),
  WHITE(245, 245, 245),
  BLACK(20, 20, 20),
  GREY(128, 128, 128);

  // Every pair is at least 90 apart in RGB (the closest: orange/yellow), so nearest is robust.
  private final int r;
  private final int g;
  private final int b;

  Colour(int r, int g, int b) {
    this.r = r;
    this.g = g;
    this.b = b;
  }

  public int r() {
    return r;
  }

  public int g() {
    return g;
  }

  public int b() {
    return b;
  }

  /** The vocabulary word, e.g. {@code "red"}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The colour named by a vocabulary word. */
  public static Colour of(String word) {
    for (Colour c : values()) {
      if (c.word().equals(word)) return c;
    }
    throw new IllegalArgumentException("'" + word + "' is not a scene colour");
  }

  /** The palette colour at least squared RGB distance from (r, g, b); ties go to the first. */
  public static Colour nearest(int r, int g, int b) {
    Colour best = null;
    int bestD = Integer.MAX_VALUE;
    for (Colour c : values()) {
      int dr = r - c.r;
      int dg = g - c.g;
      int db = b - c.b;
      int d = dr * dr + dg * dg + db * db;
      if (d < bestD) {
        best = c;
        bestD = d;
      }
    }
    return best;
  }

  /** The nearest palette colour of pixel i of interleaved RGB bytes. */
  static Colour nearest(byte[] rgb, int i) {
    return nearest(rgb[3 * i] & 0xFF, rgb[3 * i + 1] & 0xFF, rgb[3 * i + 2] & 0xFF);
  }
}
