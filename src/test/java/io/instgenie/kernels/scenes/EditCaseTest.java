package io.instgenie.kernels.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.model.Presets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EditCaseTest {
  private static final SceneGenerator GEN = new SceneGenerator();
  private static final int N = 400;

  @Test
  @DisplayName("a seed gives the same case, whose template is the scene of that seed")
  void deterministic() {
    for (long seed = 0; seed < 50; seed++) {
      EditCase a = GEN.editCase(seed);
      EditCase b = new SceneGenerator().editCase(seed);
      assertArrayEquals(GEN.sample(seed).image().pixels(), a.template().image().pixels());
      assertEquals(GEN.sample(seed).caption(), a.template().caption());
      assertArrayEquals(a.mask().levels(), b.mask().levels());
      assertArrayEquals(a.expected().pixels(), b.expected().pixels());
      assertEquals(a.prompt(), b.prompt());
      assertEquals(a.target(), b.target());
    }
  }

  @Test
  @DisplayName("mask ratios lie in [0.05, 0.35], mostly in [0.1, 0.2]; about half the cases add")
  void maskRatios() {
    int typical = 0;
    int adds = 0;
    for (long seed = 0; seed < N; seed++) {
      EditCase c = GEN.editCase(seed);
      double r = c.maskRatio();
      assertTrue(r >= 0.05 && r <= 0.35, "seed " + seed + ": ratio " + r);
      if (r >= 0.1 && r <= 0.2) typical++;
      if (c.kind() == EditCase.Kind.ADD) adds++;
    }
    assertTrue(typical > N / 2, typical + " of " + N + " in [0.1, 0.2]");
    assertTrue(adds > 0.4 * N && adds < 0.6 * N, adds + " of " + N + " add");
  }

  @Test
  @DisplayName(
      "the mask is its box, covering the target (and what it replaces); adds avoid objects")
  void masksCoverTargets() {
    for (SceneGenerator gen : List.of(GEN, new SceneGenerator(16))) {
      int s = gen.size();
      for (long seed = 0; seed < N; seed++) {
        EditCase c = gen.editCase(seed);
        Box m = c.maskBox();
        String at = "size " + s + " seed " + seed;
        assertTrue(m.inside(s), at);
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            assertEquals(m.contains(x, y) ? 255 : 0, c.mask().level(x, y), at);
          }
        }
        assertTrue(m.contains(c.target().frame()), at);
        if (c.kind() == EditCase.Kind.REPLACE) {
          assertTrue(m.contains(c.replaced().frame()), at);
          assertTrue(c.template().objects().contains(c.replaced()), at);
          assertEquals(c.replaced().size(), c.target().size(), at);
        } else {
          for (SceneObject o : c.template().objects()) assertFalse(m.intersects(o.frame()), at);
        }
      }
    }
  }

  @Test
  @DisplayName("the expected edit differs from the template only inside the mask, by the target")
  void expectedEdit() {
    for (long seed = 0; seed < N; seed++) {
      EditCase c = GEN.editCase(seed);
      byte[] t = c.template().image().pixels();
      byte[] e = c.expected().pixels();
      Colour k = c.colour();
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          int i = (y * 64 + x) * 3;
          if (!c.maskBox().contains(x, y)) {
            assertTrue(
                t[i] == e[i] && t[i + 1] == e[i + 1] && t[i + 2] == e[i + 2], "seed " + seed);
          } else if (c.target().covers(x, y)) {
            assertEquals(k, Colour.nearest(e, y * 64 + x));
            assertEquals(k.r(), e[i] & 0xFF);
          }
        }
      }
    }
  }

  @Test
  @DisplayName(
      "prompts name the target in at most 8 vocabulary words, in a colour new to the scene")
  void prompts() {
    List<String> vocab = Presets.VOCAB.subList(1, Presets.VOCAB.size());
    for (long seed = 0; seed < N; seed++) {
      EditCase c = GEN.editCase(seed);
      List<String> words = List.of(c.prompt().split(" "));
      assertTrue(words.size() <= Captions.MAX_WORDS && vocab.containsAll(words), c.prompt());
      assertTrue(c.prompt().endsWith(c.colour().word() + " " + c.target().shape().word()));
      List<Colour> present = new ArrayList<>();
      for (SceneObject o : c.template().objects()) present.add(o.colour());
      assertFalse(present.contains(c.colour()), "seed " + seed);
      assertTrue(GEN.freeColours(c.template().background(), present).contains(c.colour()));
    }
    assertEquals("a red circle", GEN.editCase(229).prompt()); // the classic 64-px example
    assertNotEquals(GEN.editCase(1).prompt(), GEN.editCase(2).prompt());
  }
}
