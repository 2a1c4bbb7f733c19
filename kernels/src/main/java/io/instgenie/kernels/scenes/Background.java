package io.instgenie.kernels.scenes;

import java.util.List;
import java.util.Objects;

/**
 * A scene background: a solid colour, a vertical gradient from {@code first} (top row) to {@code
 * second} (bottom row), or vertical stripes alternating {@code first} and {@code second}.
 */
public record Background(Background.Kind kind, Colour first, Colour second) {

  /** How the two colours are laid out. */
  public enum Kind {
    SOLID,
    GRADIENT,
    STRIPES
  }

  public Background {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (kind == Kind.SOLID ? first != second : first == second) {
      throw new IllegalArgumentException(
          kind + " background needs " + (kind == Kind.SOLID ? "one colour" : "two colours"));
    }
  }

  public static Background solid(Colour c) {
    return new Background(Kind.SOLID, c, c);
  }

  /** Stripe width: 8 px at 64, at least 2. */
  static int stripeWidth(int size) {
    return Math.max(2, size / 8);
  }

  /** The pixel at (x, y) of a size×size background as 0xRRGGBB. */
  public int rgb(int x, int y, int size) {
    return switch (kind) {
      case SOLID -> pack(first.r(), first.g(), first.b());
      case STRIPES -> {
        Colour c = (x / stripeWidth(size)) % 2 == 0 ? first : second;
        yield pack(c.r(), c.g(), c.b());
      }
      case GRADIENT ->
          pack(
              mix(first.r(), second.r(), y, size - 1),
              mix(first.g(), second.g(), y, size - 1),
              mix(first.b(), second.b(), y, size - 1));
    };
  }

  /** The caption words: "on red background", "on red white stripes", "on red white gradient". */
  public List<String> words() {
    return kind == Kind.SOLID
        ? List.of("on", first.word(), "background")
        : List.of("on", first.word(), second.word(), kind == Kind.STRIPES ? "stripes" : "gradient");
  }

  /** round(a + (b - a)·y/n) in integers, half up. */
  private static int mix(int a, int b, int y, int n) {
    return (a * (n - y) + b * y + n / 2) / n;
  }

  private static int pack(int r, int g, int b) {
    return (r << 16) | (g << 8) | b;
  }
}
