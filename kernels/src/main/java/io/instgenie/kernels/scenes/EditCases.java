package io.instgenie.kernels.scenes;

import io.instgenie.kernels.io.MaskImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws {@link EditCase}s. The mask is a square of side √ratio·S, ratio uniform in [0.1, 0.2] four
 * times in five and in [0.05, 0.35] otherwise, then clamped so that it covers the target's frame
 * with {@code gap} pixels to spare and stays at most about twice the frame (a small target keeps a
 * visible share of its mask). At 64 px that puts every ratio in [0.07, 0.34].
 */
final class EditCases {
  static final double MIN_RATIO = 0.05;
  static final double MAX_RATIO = 0.35;

  private EditCases() {}

  static EditCase generate(SceneGenerator gen, SplittableRandom rng) {
    Scene t = gen.generate(rng);
    List<Colour> taken = new ArrayList<>();
    for (SceneObject o : t.objects()) taken.add(o.colour());
    List<Colour> free = gen.freeColours(t.background(), taken); // never empty: see generate
    Colour colour = free.get(rng.nextInt(free.size()));
    Shape shape = SceneGenerator.pick(rng, gen.style().shapes());
    boolean article = rng.nextBoolean();
    boolean sizeWord = rng.nextBoolean();
    double ratio =
        rng.nextInt(5) < 4
            ? 0.1 + 0.1 * rng.nextDouble()
            : MIN_RATIO + (MAX_RATIO - MIN_RATIO) * rng.nextDouble();
    EditCase c =
        rng.nextBoolean() ? add(gen, rng, t, shape, colour, ratio, article, sizeWord) : null;
    // Also when no empty spot was found for an ADD.
    return c != null ? c : replace(gen, rng, t, shape, colour, ratio, article, sizeWord);
  }

  /**
   * A mask in empty background (clear of every frame, uniform over such places), the target at its
   * centre; a smaller mask or target when the drawn ones find no place; null when none does.
   */
  private static EditCase add(
      SceneGenerator gen,
      SplittableRandom rng,
      Scene t,
      Shape shape,
      Colour colour,
      double ratio,
      boolean article,
      boolean sizeWord) {
    int s = gen.size();
    int z = rng.nextInt(Size.values().length);
    // The drawn size and mask side first, then the least side, then smaller sizes.
    for (int attempt = 0; attempt <= 2 * z + 1; attempt++) {
      Size size = Size.values()[z - attempt / 2];
      int r = gen.radius(size);
      int side = side(gen, attempt % 2 == 0 ? ratio : 0, r);
      List<Box> places = new ArrayList<>();
      for (int y0 = 0; y0 + side <= s; y0++) {
        for (int x0 = 0; x0 + side <= s; x0++) {
          Box m = new Box(x0, y0, x0 + side, y0 + side);
          if (gen.clear(m, t.objects())) places.add(m);
        }
      }
      if (places.isEmpty()) continue;
      Box m = places.get(rng.nextInt(places.size()));
      // side ≥ 2r+1+2·gap, so the frame around the centre lies inside m.
      SceneObject target =
          new SceneObject(shape, colour, size, m.x0() + side / 2, m.y0() + side / 2, r);
      List<SceneObject> objects = new ArrayList<>(t.objects());
      objects.add(target);
      return build(gen, t, EditCase.Kind.ADD, target, null, m, objects, article, sizeWord);
    }
    return null;
  }

  /** The target, same size, at an existing object's centre; the mask centred there. */
  private static EditCase replace(
      SceneGenerator gen,
      SplittableRandom rng,
      Scene t,
      Shape shape,
      Colour colour,
      double ratio,
      boolean article,
      boolean sizeWord) {
    int s = gen.size();
    int k = rng.nextInt(t.objects().size());
    SceneObject old = t.objects().get(k);
    SceneObject target =
        new SceneObject(shape, colour, old.size(), old.cx(), old.cy(), old.radius());
    int side = side(gen, ratio, old.radius());
    // Shifting into the image keeps the frame covered: the frame is inside and side ≥ its width.
    int x0 = Math.max(0, Math.min(s - side, old.cx() - side / 2));
    int y0 = Math.max(0, Math.min(s - side, old.cy() - side / 2));
    Box m = new Box(x0, y0, x0 + side, y0 + side);
    List<SceneObject> objects = new ArrayList<>(t.objects());
    objects.set(k, target);
    return build(gen, t, EditCase.Kind.REPLACE, target, old, m, objects, article, sizeWord);
  }

  /** The mask side for a target of radius r: √ratio·S clamped to [frame + 2·gap, ~2·frame]. */
  static int side(SceneGenerator gen, double ratio, int r) {
    int s = gen.size();
    int frame = 2 * r + 1;
    int min = frame + 2 * gen.gap();
    int max = Math.max(min, Math.min((int) Math.floor(s * Math.sqrt(MAX_RATIO)), 2 * frame + 2));
    return Math.min(s, Math.max(min, Math.min(max, (int) Math.round(s * Math.sqrt(ratio)))));
  }

  private static EditCase build(
      SceneGenerator gen,
      Scene t,
      EditCase.Kind kind,
      SceneObject target,
      SceneObject replaced,
      Box m,
      List<SceneObject> objects,
      boolean article,
      boolean sizeWord) {
    int s = gen.size();
    byte[] levels = new byte[s * s];
    for (int y = m.y0(); y < m.y1(); y++) {
      for (int x = m.x0(); x < m.x1(); x++) levels[y * s + x] = (byte) 255;
    }
    String prompt = gen.style().phrase(target, article, sizeWord);
    return new EditCase(
        t,
        kind,
        target,
        replaced,
        m,
        new MaskImage(s, s, levels),
        prompt,
        Scene.render(s, t.background(), objects));
  }
}
