package io.instgenie.kernels.scenes;

import io.instgenie.kernels.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link SceneGenerator} draws. {@link #CLASSIC} is the first default model's data: eight
 * shapes, eleven colours, three sizes, one to three objects, solid, gradient or striped
 * backgrounds, captions with articles, sizes and backgrounds. {@link #SIMPLE} is data a small model
 * learns first on two cores: four shapes that differ clearly (circle, square, triangle, star), six
 * object colours, large objects (radius 16–28% of the image), one or two of them, on a solid or
 * two-colour gradient background, captions that name only the objects ("red circle", "red circle
 * blue square").
 */
public enum SceneStyle {
  CLASSIC(
      List.of(
          Shape.CIRCLE,
          Shape.SQUARE,
          Shape.TRIANGLE,
          Shape.DIAMOND,
          Shape.STAR,
          Shape.RING,
          Shape.CROSS,
          Shape.BAR),
      List.of(Colour.values()),
      List.of(Background.Kind.values()),
      3,
      8,
      new double[] {6 / 64.0, 10 / 64.0, 14 / 64.0}),
  SIMPLE(
      List.of(Shape.CIRCLE, Shape.SQUARE, Shape.TRIANGLE, Shape.FILLED_STAR),
      List.of(Colour.RED, Colour.GREEN, Colour.BLUE, Colour.YELLOW, Colour.PURPLE, Colour.WHITE),
      List.of(Background.Kind.SOLID, Background.Kind.GRADIENT),
      2,
      4,
      new double[] {0.16, 0.22, 0.28});

  private final List<Shape> shapes;
  private final List<Colour> objectColours;
  private final List<Background.Kind> backgrounds;
  private final int maxObjects;
  private final int maxWords;
  private final double[] radiusFraction;

  SceneStyle(
      List<Shape> shapes,
      List<Colour> objectColours,
      List<Background.Kind> backgrounds,
      int maxObjects,
      int maxWords,
      double[] radiusFraction) {
    this.shapes = shapes;
    this.objectColours = objectColours;
    this.backgrounds = backgrounds;
    this.maxObjects = maxObjects;
    this.maxWords = maxWords;
    this.radiusFraction = radiusFraction;
  }

  /** The style of a name ({@code classic} or {@code simple}), or an error that lists them. */
  public static SceneStyle byName(String name) {
    for (SceneStyle s : values()) {
      if (s.word().equals(name.toLowerCase(Locale.ROOT))) return s;
    }
    throw new IllegalArgumentException(
        "unknown scene style '" + name + "' (known: classic, simple)");
  }

  /**
   * The scenes a model was trained on, as its provenance records them ({@code "scenes"}); classic
   * for a model that does not say (those trained before simple scenes existed).
   */
  public static SceneStyle of(ModelConfig c) {
    Object s = c.provenance() == null ? null : c.provenance().get("scenes");
    return s == null ? CLASSIC : byName(s.toString());
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The shapes objects and edit targets take. */
  public List<Shape> shapes() {
    return shapes;
  }

  /** The colours objects and edit targets may take (backgrounds take any palette colour). */
  public List<Colour> objectColours() {
    return objectColours;
  }

  public List<Background.Kind> backgrounds() {
    return backgrounds;
  }

  /** The most objects in a scene; a scene has one to this many. */
  public int maxObjects() {
    return maxObjects;
  }

  /** The longest caption or edit prompt in words: a model needs this many prompt tokens. */
  public int maxWords() {
    return maxWords;
  }

  /** The radius of an object of this size in an image of side {@code imageSize}, at least 1. */
  public int radius(Size size, int imageSize) {
    return Math.max(1, (int) Math.round(radiusFraction[size.ordinal()] * imageSize));
  }

  /**
   * The caption of these objects (already in salience order): {@link Captions#describe} for the
   * classic style, the bare "colour shape" phrases one after the other for the simple one.
   */
  public String caption(List<SceneObject> objects, Background bg, Captions.Style style) {
    if (this == CLASSIC) return Captions.describe(objects, bg, style);
    List<String> words = new ArrayList<>();
    for (SceneObject o : objects) words.addAll(Captions.phrase(o, false, false));
    return String.join(" ", words);
  }

  /**
   * The prompt that names one object, as edits ask for it: classic phrases may carry an article and
   * a size word, simple ones an article only ("a red circle", "red circle").
   */
  public String phrase(SceneObject o, boolean article, boolean sizeWord) {
    return String.join(" ", Captions.phrase(o, article, this == CLASSIC && sizeWord));
  }
}
