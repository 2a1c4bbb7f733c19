package io.instgenie.kernels.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simple scenes the default model learns from (issue 15), at the model's 32 px. */
class SimpleScenesTest {
  private static final SceneGenerator GEN = new SceneGenerator(32, SceneStyle.SIMPLE);
  private static final List<String> WORDS =
      Presets.SHAPES_VOCAB.subList(1, Presets.SHAPES_VOCAB.size());
  private static final int N = 1000;

  @Test
  @DisplayName("one or two objects of four shapes and six colours, radius 15–30% of the image")
  void objects() {
    Set<Shape> shapes = EnumSet.noneOf(Shape.class);
    Set<Colour> colours = EnumSet.noneOf(Colour.class);
    int two = 0;
    for (long seed = 0; seed < N; seed++) {
      Scene s = GEN.sample(seed);
      assertTrue(s.objects().size() >= 1 && s.objects().size() <= 2, "seed " + seed);
      if (s.objects().size() == 2) two++;
      for (SceneObject o : s.objects()) {
        shapes.add(o.shape());
        colours.add(o.colour());
        assertTrue(o.radius() >= 0.15 * 32 && o.radius() <= 0.30 * 32, o.toString());
      }
      assertTrue(s.background().kind() != Background.Kind.STRIPES, "no stripes in simple scenes");
    }
    assertEquals(EnumSet.copyOf(SceneStyle.SIMPLE.shapes()), shapes);
    assertEquals(EnumSet.copyOf(SceneStyle.SIMPLE.objectColours()), colours);
    assertTrue(two > N / 10, "two-object scenes: " + two);
  }

  @Test
  @DisplayName(
      "captions name the objects only ('red circle blue square'), in the shapes vocabulary")
  void captions() {
    for (long seed = 0; seed < N; seed++) {
      Scene s = GEN.sample(seed);
      StringBuilder expected = new StringBuilder();
      for (SceneObject o : s.objects()) {
        if (expected.length() > 0) expected.append(' ');
        expected.append(o.colour().word()).append(' ').append(o.shape().word());
      }
      assertEquals(expected.toString(), s.caption());
      List<String> words = List.of(s.caption().split(" "));
      assertTrue(words.size() <= SceneStyle.SIMPLE.maxWords() && WORDS.containsAll(words));
    }
  }

  @Test
  @DisplayName("edit prompts and training captions fit 4 prompt tokens of the shapes vocabulary")
  void promptsFitTheModel() {
    SceneTrainingData data = new SceneTrainingData(32, SceneStyle.SIMPLE);
    int articles = 0;
    for (long seed = 0; seed < N; seed++) {
      EditCase c = GEN.editCase(seed);
      List<String> words = List.of(c.prompt().split(" "));
      assertTrue(words.size() <= 3 && WORDS.containsAll(words), c.prompt());
      assertTrue(c.prompt().endsWith(c.colour().word() + " " + c.target().shape().word()));
      assertTrue(SceneStyle.SIMPLE.shapes().contains(c.target().shape()));
      // The trainer draws well-mixed example seeds; java.util.Random's first draws barely differ
      // between consecutive seeds.
      Trainer.Example ex = data.example(seed * 0x9E3779B97F4A7C15L);
      List<String> cw = List.of(ex.caption().split(" "));
      assertTrue(cw.size() <= Presets.shapes().promptTokens() && WORDS.containsAll(cw));
      if (cw.get(0).equals("a") || cw.get(0).equals("an")) articles++;
    }
    assertTrue(articles > N / 10, "some training captions carry an article: " + articles);
  }

  @Test
  @DisplayName("classic scenes and edit cases are those of the code before styles existed")
  void classicUnchanged() throws Exception {
    // The digest of seeds 0–99 as the generator of commit 39b648a (before SceneStyle) drew them.
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    SceneGenerator classic = new SceneGenerator(64);
    for (long s = 0; s < 100; s++) {
      Scene sc = classic.sample(s);
      md.update(sc.image().pixels());
      md.update(sc.caption().getBytes(StandardCharsets.UTF_8));
      EditCase c = classic.editCase(s);
      md.update(c.expected().pixels());
      md.update(c.mask().levels());
      md.update(c.prompt().getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(
        "0b6e368d57d468d76b4980c10bb382716cbc0c64cf823acf13b6fc94aa4ed8b4",
        HexFormat.of().formatHex(md.digest()));
    assertFalse(GEN.sample(1).caption().contains("on "));
    assertEquals("a red circle", GEN.editCase(424).prompt()); // make-examples' default
  }
}
