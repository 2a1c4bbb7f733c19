package io.instgenie.kernels.scenes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded scenes for training and edit cases, of a {@link SceneStyle}: a background and one or more
 * objects whose colours are neither a background colour nor each other's. Everything is drawn from
 * one {@link SplittableRandom} seeded with the caller's seed, so a seed gives the same scene on
 * every JVM.
 */
public final class SceneGenerator {
  public static final int DEFAULT_SIZE = 64;

  /** Placement attempts per object before it is left out. */
  static final int TRIES = 50;

  private final int size;
  private final SceneStyle style;

  /** Relative odds of the style's shapes, in its order; null: uniform. */
  private final double[] shapeOdds;

  public SceneGenerator() {
    this(DEFAULT_SIZE);
  }

  /** Classic scenes of size×size pixels. */
  public SceneGenerator(int size) {
    this(size, SceneStyle.CLASSIC);
  }

  /** Scenes of size×size pixels; object radii scale with the size (see {@link SceneStyle}). */
  public SceneGenerator(int size, SceneStyle style) {
    this(size, style, null);
  }

  /**
   * Scenes whose objects take the style's shapes with these relative odds (one per shape of {@code
   * style.shapes()}, in its order; null: uniform, drawn as the two-argument constructor's scenes
   * are, seed for seed). Training data may favour a shape the model finds hard; edit cases stay
   * uniform.
   */
  public SceneGenerator(int size, SceneStyle style, double[] shapeOdds) {
    if (size < 16)
      throw new IllegalArgumentException("scene size must be at least 16, got " + size);
    if (shapeOdds != null) {
      if (shapeOdds.length != style.shapes().size()) {
        throw new IllegalArgumentException(
            "shape odds: "
                + shapeOdds.length
                + " values for the "
                + style.shapes().size()
                + " shapes of "
                + style.word()
                + " scenes");
      }
      for (double w : shapeOdds) {
        if (!(w > 0 && Double.isFinite(w)))
          throw new IllegalArgumentException("shape odds must be positive, got " + w);
      }
      shapeOdds = shapeOdds.clone();
    }
    this.size = size;
    this.style = style;
    this.shapeOdds = shapeOdds;
  }

  public int size() {
    return size;
  }

  public SceneStyle style() {
    return style;
  }

  /** The radius of an object of this size here. */
  int radius(Size sz) {
    return style.radius(sz, size);
  }

  /** The scene of a seed. */
  public Scene sample(long seed) {
    return generate(new SplittableRandom(seed));
  }

  /** The edit case of a seed; its template is {@code sample(seed)}. */
  public EditCase editCase(long seed) {
    return EditCases.generate(this, new SplittableRandom(seed));
  }

  /** Pixels kept free between object frames (2 at 64). */
  int gap() {
    return Math.max(1, size / 32);
  }

  Scene generate(SplittableRandom rng) {
    Background bg;
    List<Colour> free;
    do {
      bg = background(rng);
      free = freeColours(bg, List.of());
    } while (free.size() <= style.maxObjects()); // one colour stays free for an edit target

    int wanted = 1 + rng.nextInt(style.maxObjects());
    List<SceneObject> objects = new ArrayList<>();
    for (int i = 0; i < wanted; i++) {
      Shape shape = shapeOdds == null ? pick(rng, style.shapes()) : pickShape(rng);
      Size sz = pick(rng, Size.values());
      Colour colour = free.remove(rng.nextInt(free.size()));
      SceneObject o = place(rng, shape, colour, sz, objects);
      if (o != null) objects.add(o);
    }
    // Most salient first: larger objects, then placement order (the sort is stable).
    objects.sort(Comparator.comparing(SceneObject::size).reversed());
    Captions.Style style =
        new Captions.Style(rng.nextBoolean(), rng.nextBoolean(), rng.nextBoolean());
    String caption = this.style.caption(objects, bg, style);
    return new Scene(size, bg, objects, caption, Scene.render(size, bg, objects));
  }

  /** A uniformly random position whose frame keeps {@link #gap()} from the others, or null. */
  private SceneObject place(
      SplittableRandom rng, Shape shape, Colour colour, Size sz, List<SceneObject> others) {
    int r = radius(sz);
    for (int t = 0; t < TRIES; t++) {
      int cx = r + rng.nextInt(size - 2 * r);
      int cy = r + rng.nextInt(size - 2 * r);
      SceneObject o = new SceneObject(shape, colour, sz, cx, cy, r);
      if (clear(o.frame(), others)) return o;
    }
    return null;
  }

  /** Whether {@code box} keeps {@link #gap()} pixels from every object's frame. */
  boolean clear(Box box, List<SceneObject> objects) {
    Box grown = box.grow(gap());
    for (SceneObject o : objects) {
      if (grown.intersects(o.frame())) return false;
    }
    return true;
  }

  private Background background(SplittableRandom rng) {
    Background.Kind kind = pick(rng, style.backgrounds());
    Colour first = pick(rng, Colour.values());
    if (kind == Background.Kind.SOLID) return Background.solid(first);
    Colour second;
    do {
      second = pick(rng, Colour.values());
    } while (second == first);
    return new Background(kind, first, second);
  }

  /**
   * The style's object colours that are no background pixel's nearest colour (a gradient passes
   * through some) and not in {@code taken}, in palette order: an object of one of them stands out,
   * and a prompt score never counts an untouched background as that colour.
   */
  List<Colour> freeColours(Background bg, List<Colour> taken) {
    EnumSet<Colour> used = EnumSet.noneOf(Colour.class);
    used.addAll(taken);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int v = bg.rgb(x, y, size);
        used.add(Colour.nearest((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF));
      }
    }
    List<Colour> free = new ArrayList<>(EnumSet.complementOf(used));
    free.retainAll(style.objectColours());
    return free;
  }

  /** A shape of the style drawn with {@link #shapeOdds}. */
  private Shape pickShape(SplittableRandom rng) {
    double total = 0;
    for (double w : shapeOdds) total += w;
    double u = rng.nextDouble() * total;
    int last = shapeOdds.length - 1;
    for (int i = 0; i < last; i++) {
      u -= shapeOdds[i];
      if (u < 0) return style.shapes().get(i);
    }
    return style.shapes().get(last);
  }

  static <T> T pick(SplittableRandom rng, T[] values) {
    return values[rng.nextInt(values.length)];
  }

  static <T> T pick(SplittableRandom rng, List<T> values) {
    return values.get(rng.nextInt(values.size()));
  }
}
