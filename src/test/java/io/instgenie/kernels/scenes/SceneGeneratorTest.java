package io.instgenie.kernels.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {
  private static final SceneGenerator GEN = new SceneGenerator();
  private static final int N = 500;

  @Test
  @DisplayName("a seed gives identical pixels, objects and caption; 500 seeds give 500 images")
  void deterministic() {
    Set<String> images = new HashSet<>();
    for (long seed = 0; seed < N; seed++) {
      Scene a = GEN.sample(seed);
      Scene b = new SceneGenerator().sample(seed);
      assertArrayEquals(a.image().pixels(), b.image().pixels(), "seed " + seed);
      assertEquals(a.caption(), b.caption());
      assertEquals(a.objects(), b.objects());
      assertEquals(a.background(), b.background());
      images.add(Arrays.toString(a.image().pixels()));
    }
    assertEquals(N, images.size());
  }

  @Test
  @DisplayName(
      "captions use vocabulary words only, at most 8, naming every object most salient first")
  void captions() {
    for (long seed = 0; seed < N; seed++) {
      Scene s = GEN.sample(seed);
      List<String> words = List.of(s.caption().split(" "));
      assertTrue(words.size() <= Captions.MAX_WORDS, s.caption());
      assertTrue(Presets.VOCAB.subList(1, Presets.VOCAB.size()).containsAll(words), s.caption());
      int from = 0;
      for (SceneObject o : s.objects()) {
        int at = s.caption().indexOf(o.colour().word() + " " + o.shape().word(), from);
        assertTrue(at >= from, "seed " + seed + ": '" + s.caption() + "' misses " + o);
        from = at + 1;
      }
      for (int i = 1; i < s.objects().size(); i++) {
        assertTrue(s.objects().get(i - 1).size().compareTo(s.objects().get(i).size()) >= 0);
      }
    }
  }

  @Test
  @DisplayName("captions trim articles, then background, then sizes, to fit 8 words")
  void captionTrimming() {
    Background stripes = new Background(Background.Kind.STRIPES, Colour.RED, Colour.WHITE);
    SceneObject circle = new SceneObject(Shape.CIRCLE, Colour.ORANGE, Size.LARGE, 20, 20, 14);
    SceneObject star = new SceneObject(Shape.STAR, Colour.BLUE, Size.SMALL, 50, 50, 6);
    SceneObject bar = new SceneObject(Shape.BAR, Colour.GREEN, Size.SMALL, 50, 10, 6);
    Captions.Style all = new Captions.Style(true, true, true);
    assertEquals(
        "a large orange circle on red white stripes",
        Captions.describe(List.of(circle), stripes, all));
    assertEquals(
        "an orange circle on red background",
        Captions.describe(
            List.of(circle), Background.solid(Colour.RED), new Captions.Style(true, false, true)));
    assertEquals(
        "large orange circle and small blue star",
        Captions.describe(List.of(circle, star), stripes, all));
    assertEquals(
        "orange circle and blue star and green bar",
        Captions.describe(List.of(circle, star, bar), stripes, all));
    assertEquals(
        "orange circle",
        Captions.describe(List.of(circle), stripes, new Captions.Style(false, false, false)));
  }

  @Test
  @DisplayName(
      "objects lie inside the image, frames 2 px apart, in colours no background pixel has")
  void objectsPlaced() {
    for (long seed = 0; seed < N; seed++) {
      Scene s = GEN.sample(seed);
      List<Colour> free = GEN.freeColours(s.background(), List.of());
      Set<Colour> colours = new HashSet<>();
      assertFalse(s.objects().isEmpty());
      for (int i = 0; i < s.objects().size(); i++) {
        SceneObject o = s.objects().get(i);
        assertTrue(o.frame().inside(64), o.toString());
        assertTrue(o.frame().contains(o.box()), o.toString());
        assertEquals(o.size().radius(64), o.radius());
        assertTrue(free.contains(o.colour()), o + " on " + s.background());
        assertTrue(colours.add(o.colour()), "colour twice: " + s.objects());
        for (SceneObject p : s.objects().subList(i + 1, s.objects().size())) {
          assertFalse(o.frame().grow(2).intersects(p.frame()), o + " touches " + p);
        }
      }
    }
  }

  @Test
  @DisplayName(
      "every pixel an object covers has its exact colour; every other one the background's")
  void rendering() {
    for (long seed = 0; seed < 50; seed++) {
      Scene s = GEN.sample(seed);
      byte[] px = s.image().pixels();
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          int i = (y * 64 + x) * 3;
          int want = s.background().rgb(x, y, 64);
          for (SceneObject o : s.objects()) {
            if (o.covers(x, y))
              want = (o.colour().r() << 16) | (o.colour().g() << 8) | o.colour().b();
          }
          int got = ((px[i] & 0xFF) << 16) | ((px[i + 1] & 0xFF) << 8) | (px[i + 2] & 0xFF);
          assertEquals(want, got, "seed " + seed + " pixel " + x + "," + y);
        }
      }
    }
  }

  @Test
  @DisplayName(
      "the simple scenes' star has its five points at every simple radius: the top and both feet"
          + " reach the frame, the side tips come within a pixel of it, the notch between the feet"
          + " stays empty")
  void filledStarPoints() {
    for (int r : new int[] {5, 7, 9}) {
      Shape s = Shape.FILLED_STAR;
      assertTrue(s.covers(0, -r, r), "top point, radius " + r);
      assertFalse(s.covers(-1, -r, r) || s.covers(1, -r, r), "the top point is one pixel wide");
      int arms =
          -r + (int) Math.round(0.62 * r); // the row of the side points (y ≈ 0.38 of the way)
      boolean left = false;
      boolean right = false;
      for (int dy = arms - 1; dy <= arms + 1; dy++) {
        left |= s.covers(-r, dy, r) || s.covers(1 - r, dy, r);
        right |= s.covers(r, dy, r) || s.covers(r - 1, dy, r);
      }
      assertTrue(left && right, "side points within a pixel of the frame, radius " + r);
      int feet = 0;
      for (int dx = -r; dx <= r; dx++) if (s.covers(dx, r, r)) feet++;
      assertTrue(feet >= 2, "feet on the bottom row, radius " + r);
      assertFalse(s.covers(0, r, r), "the notch between the feet, radius " + r);
    }
    int bottom = 0;
    for (int dy = 4; dy <= 5; dy++) {
      for (int dx = -5; dx <= 5; dx++) if (Shape.STAR.covers(dx, dy, 5)) bottom++;
    }
    assertEquals(
        0, bottom, "the classic star of radius 5 leaves its frame's two bottom rows empty");
  }

  @Test
  @DisplayName(
      "shape odds: star=3 of 1,1,1,3 makes half the objects stars (uniform: a quarter); edit cases"
          + " and null odds are drawn as before")
  void shapeOdds() {
    SceneGenerator uniform = new SceneGenerator(32, SceneStyle.SIMPLE);
    SceneGenerator starry = new SceneGenerator(32, SceneStyle.SIMPLE, new double[] {1, 1, 1, 3});
    SceneGenerator none = new SceneGenerator(32, SceneStyle.SIMPLE, null);
    int objects = 0, stars = 0, uniformObjects = 0, uniformStars = 0;
    for (long seed = 0; seed < 2000; seed++) {
      for (SceneObject o : starry.sample(seed).objects()) {
        objects++;
        if (o.shape() == Shape.FILLED_STAR) stars++;
      }
      Scene u = uniform.sample(seed);
      for (SceneObject o : u.objects()) {
        uniformObjects++;
        if (o.shape() == Shape.FILLED_STAR) uniformStars++;
      }
      if (seed < 200) {
        assertArrayEquals(u.image().pixels(), none.sample(seed).image().pixels());
        assertEquals(u.caption(), none.sample(seed).caption());
      }
    }
    // binomial over ~3,000 objects: 4 standard deviations are about 0.036
    assertEquals(0.5, stars / (double) objects, 0.04, stars + " stars of " + objects);
    assertEquals(0.25, uniformStars / (double) uniformObjects, 0.04);
    assertThrows(
        IllegalArgumentException.class,
        () -> new SceneGenerator(32, SceneStyle.SIMPLE, new double[] {1, 1, 1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SceneGenerator(32, SceneStyle.SIMPLE, new double[] {1, 0, 1, 1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SceneGenerator(32, SceneStyle.SIMPLE, new double[] {1, Double.NaN, 1, 1}));
  }

  @Test
  @DisplayName("shapes of radius 10 cover their exact pixel counts")
  void shapeAreas() {
    // Closed forms: square (2r+1)², diamond and triangle 2r²+2r+1, bar (2r+1)(2t+1), cross twice
    // the bar less the overlap; circle, ring and the stars are counts of this rasteriser.
    Map<Shape, Integer> want =
        Map.of(
            Shape.SQUARE, 441,
            Shape.DIAMOND, 221,
            Shape.TRIANGLE, 221,
            Shape.BAR, 147,
            Shape.CROSS, 2 * 147 - 49,
            Shape.CIRCLE, 349,
            Shape.RING, 252,
            Shape.STAR, 148,
            Shape.FILLED_STAR, 198);
    for (Shape shape : Shape.values()) {
      int n = 0;
      for (int dy = -12; dy <= 12; dy++) {
        for (int dx = -12; dx <= 12; dx++) if (shape.covers(dx, dy, 10)) n++;
      }
      assertEquals(want.get(shape), n, shape.toString());
    }
  }

  @Test
  @DisplayName("pixels() is the channel-major layout Patches.fromChw turns into fromImage's tokens")
  void pixelLayout() {
    ModelConfig tiny = Presets.tiny();
    SceneGenerator gen16 = new SceneGenerator(tiny.imageSize());
    for (long seed = 0; seed < 20; seed++) {
      Scene s = gen16.sample(seed);
      assertArrayEquals(
          Patches.fromImage(s.image(), tiny), Patches.fromChw(s.pixels(), tiny), "seed " + seed);
      float[] batch = new float[7 + 2 * 3 * 16 * 16];
      s.pixelsInto(batch, 7 + 3 * 16 * 16);
      assertArrayEquals(
          s.pixels(), Arrays.copyOfRange(batch, 7 + 3 * 16 * 16, batch.length), "at an offset");
      assertEquals(0f, batch[6 + 3 * 16 * 16], "nothing written before the offset");
    }
    float[] p = GEN.sample(3).pixels();
    byte[] rgb = GEN.sample(3).image().pixels();
    // Channel 1 (green) of pixel (x 5, y 2): plane 1, row 2, column 5.
    assertEquals((rgb[(2 * 64 + 5) * 3 + 1] & 0xFF) / 127.5f - 1f, p[64 * 64 + 2 * 64 + 5]);
  }

  @Test
  @DisplayName("the palette is its own nearest colour and every pair is at least 89 apart")
  void palette() {
    for (Colour c : Colour.values()) {
      assertEquals(c, Colour.nearest(c.r(), c.g(), c.b()));
      assertEquals(c, Colour.of(c.word()));
      assertTrue(Presets.VOCAB.contains(c.word()));
      for (Colour d : Colour.values()) {
        int dr = c.r() - d.r();
        int dg = c.g() - d.g();
        int db = c.b() - d.b();
        assertTrue(c == d || dr * dr + dg * dg + db * db >= 89 * 89, c + " and " + d);
      }
    }
    for (Shape s : Shape.values()) assertTrue(Presets.VOCAB.contains(s.word()));
    for (Size s : Size.values()) assertTrue(Presets.VOCAB.contains(s.word()));
  }
}
