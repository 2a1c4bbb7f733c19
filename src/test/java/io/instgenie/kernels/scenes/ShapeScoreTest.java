package io.instgenie.kernels.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShapeScoreTest {
  private static final SceneGenerator SIMPLE = new SceneGenerator(32, SceneStyle.SIMPLE);

  @Test
  @DisplayName("the classifier names the target shape of ≥ 95% of simple edit cases' ideal results")
  void accurateOnGroundTruth() {
    int n = 1000;
    int right = 0;
    Map<Shape, int[]> perShape = new EnumMap<>(Shape.class);
    for (long seed = 0; seed < n; seed++) {
      EditCase c = SIMPLE.editCase(seed);
      boolean ok = ShapeScore.draws(c, c.expected(), SceneStyle.SIMPLE.shapes());
      if (ok) right++;
      int[] k = perShape.computeIfAbsent(c.target().shape(), s -> new int[2]);
      k[0] += ok ? 1 : 0;
      k[1]++;
    }
    double accuracy = right / (double) n;
    assertTrue(accuracy >= 0.95, "accuracy " + accuracy + " per shape " + describe(perShape));
    for (Map.Entry<Shape, int[]> e : perShape.entrySet()) {
      assertTrue(e.getValue()[0] >= 0.9 * e.getValue()[1], e.getKey() + ": " + describe(perShape));
    }
  }

  @Test
  @DisplayName("each shape drawn alone at every simple size and at odd offsets is recognised")
  void everyShapeAndSize() {
    for (Shape s : SceneStyle.SIMPLE.shapes()) {
      for (int r = 5; r <= 9; r++) {
        for (int shift = 0; shift < 3; shift++) {
          boolean[] region = new boolean[32 * 32];
          int cx = 14 + shift;
          int cy = 15 - shift;
          for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) region[y * 32 + x] = s.covers(x - cx, y - cy, r);
          }
          ShapeScore.Fit f = ShapeScore.classify(region, 32, SceneStyle.SIMPLE.shapes());
          assertEquals(s, f.shape(), "radius " + r + " shift " + shift);
          assertEquals(1.0, f.iou(), 1e-12, s + " radius " + r + " fits itself exactly");
        }
      }
    }
  }

  @Test
  @DisplayName(
      "a few speckles of the asked colour are no drawing, whichever shape they are nearest")
  void speckles() {
    EditCase c = SIMPLE.editCase(424);
    byte[] px = c.template().image().pixels().clone();
    int[] spots = {
      c.target().cx() + 32 * c.target().cy(), c.target().cx() + 1 + 32 * c.target().cy()
    };
    for (int i : spots) {
      px[3 * i] = (byte) c.colour().r();
      px[3 * i + 1] = (byte) c.colour().g();
      px[3 * i + 2] = (byte) c.colour().b();
    }
    RgbImage speckled = new RgbImage(32, 32, px);
    ShapeScore.Fit f =
        ShapeScore.classify(
            ShapeScore.region(speckled, c.mask(), c.colour()), 32, SceneStyle.SIMPLE.shapes());
    assertTrue(f.shape() != null && f.iou() < ShapeScore.MIN_IOU, f.toString());
    assertFalse(ShapeScore.draws(c, speckled, SceneStyle.SIMPLE.shapes()));
    assertTrue(ShapeScore.draws(c, c.expected(), SceneStyle.SIMPLE.shapes()));
  }

  @Test
  @DisplayName("an untouched template draws nothing: the asked colour is absent from its mask")
  void templateDrawsNothing() {
    for (long seed = 0; seed < 200; seed++) {
      EditCase c = SIMPLE.editCase(seed);
      RgbImage t = c.template().image();
      assertNull(
          ShapeScore.classify(
                  ShapeScore.region(t, c.mask(), c.colour()), 32, List.of(Shape.values()))
              .shape());
      assertFalse(ShapeScore.draws(c, t, SceneStyle.SIMPLE.shapes()));
    }
  }

  private static String describe(Map<Shape, int[]> m) {
    StringBuilder sb = new StringBuilder();
    m.forEach((s, k) -> sb.append(s).append(' ').append(k[0]).append('/').append(k[1]).append(' '));
    return sb.toString();
  }
}
