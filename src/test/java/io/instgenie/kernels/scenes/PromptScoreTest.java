package io.instgenie.kernels.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PromptScoreTest {
  private static final int S = 64;

  /** Rows 10..29, columns 20..39: 400 masked pixels. */
  private static final Box BOX = new Box(20, 10, 40, 30);

  private static RgbImage solid(Colour c) {
    byte[] px = new byte[S * S * 3];
    for (int i = 0; i < S * S; i++) paint(px, i, c);
    return new RgbImage(S, S, px);
  }

  /** A copy of {@code img} with the first {@code n} pixels of BOX (row by row) in colour c. */
  private static RgbImage painted(RgbImage img, Colour c, int n) {
    byte[] px = img.pixels().clone();
    int done = 0;
    for (int y = BOX.y0(); y < BOX.y1(); y++) {
      for (int x = BOX.x0(); x < BOX.x1() && done < n; x++, done++) paint(px, y * S + x, c);
    }
    return new RgbImage(S, S, px);
  }

  private static void paint(byte[] px, int i, Colour c) {
    px[3 * i] = (byte) c.r();
    px[3 * i + 1] = (byte) c.g();
    px[3 * i + 2] = (byte) c.b();
  }

  private static MaskImage mask(Box b) {
    byte[] lv = new byte[S * S];
    for (int y = b.y0(); y < b.y1(); y++) {
      for (int x = b.x0(); x < b.x1(); x++) lv[y * S + x] = (byte) 200; // ≥ 128 counts as masked
    }
    return new MaskImage(S, S, lv);
  }

  @Test
  @DisplayName("a mask painted red follows 'red' and not 'blue'; the template follows neither")
  void paintedMask() {
    RgbImage template = solid(Colour.GREY);
    RgbImage red = painted(template, Colour.RED, 400);
    assertEquals(1.0, PromptScore.colourFraction(red, mask(BOX), Colour.RED));
    assertEquals(0.0, PromptScore.colourFraction(red, mask(BOX), Colour.BLUE));
    assertTrue(PromptScore.follows(template, red, mask(BOX), Colour.RED));
    assertFalse(PromptScore.follows(template, red, mask(BOX), Colour.BLUE));
    assertFalse(PromptScore.follows(template, template, mask(BOX), Colour.RED));
  }

  @Test
  @DisplayName("the asked colour needs 5% of the mask and more pixels than any colour new to it")
  void thresholdAndDominance() {
    RgbImage template = solid(Colour.GREY);
    MaskImage m = mask(BOX);
    assertTrue(PromptScore.follows(template, painted(template, Colour.RED, 20), m, Colour.RED));
    assertFalse(PromptScore.follows(template, painted(template, Colour.RED, 19), m, Colour.RED));
    assertEquals(
        19 / 400.0, PromptScore.colourFraction(painted(template, Colour.RED, 19), m, Colour.RED));
    // 100 blue pixels then 60 red: blue dominates, so only 'blue' is followed.
    RgbImage mixed = painted(painted(template, Colour.RED, 160), Colour.BLUE, 100);
    assertFalse(PromptScore.follows(template, mixed, m, Colour.RED));
    assertTrue(PromptScore.follows(template, mixed, m, Colour.BLUE));
    // A template already blue in the mask: blue is ignored, so 60 red pixels win.
    RgbImage blueTemplate = painted(template, Colour.BLUE, 100);
    assertTrue(PromptScore.follows(blueTemplate, mixed, m, Colour.RED));
    // Pixels near, not equal to, red count as red.
    byte[] near = painted(template, Colour.RED, 400).pixels();
    for (int i = 0; i < near.length; i += 3) near[i] = (byte) (near[i] - 30);
    assertTrue(PromptScore.follows(template, new RgbImage(S, S, near), m, Colour.RED));
  }

  @Test
  @DisplayName(
      "in every generated case the expected edit follows the prompt and the template does not")
  void editCases() {
    SceneGenerator gen = new SceneGenerator();
    for (long seed = 0; seed < 300; seed++) {
      EditCase c = gen.editCase(seed);
      assertTrue(PromptScore.follows(c, c.expected()), "seed " + seed + ": " + c.prompt());
      assertFalse(PromptScore.follows(c, c.template().image()), "seed " + seed);
      assertEquals(0.0, PromptScore.colourFraction(c.template().image(), c.mask(), c.colour()));
      assertTrue(
          PromptScore.colourFraction(c.expected(), c.mask(), c.colour()) >= 0.05, "seed " + seed);
    }
  }

  @Test
  @DisplayName("an empty or mis-sized mask is refused")
  void badMasks() {
    RgbImage img = solid(Colour.GREY);
    assertThrows(
        IllegalArgumentException.class,
        () -> PromptScore.colourFraction(img, new MaskImage(S, S, new byte[S * S]), Colour.RED));
    assertThrows(
        IllegalArgumentException.class,
        () -> PromptScore.follows(img, img, new MaskImage(8, 8, new byte[64]), Colour.RED));
  }
}
