package io.instgenie.kernels.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.PromptException;
import io.instgenie.kernels.scenes.EditCase;
import io.instgenie.kernels.scenes.SceneGenerator;
import io.instgenie.kernels.scenes.SceneStyle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EditEngineTest {
  private static final ModelConfig C = Presets.tiny();
  private static final int S = C.imageSize();
  private final EditEngine engine = new EditEngine(DitModel.random(C, 3), new CpuBackend(), 4);

  static RgbImage randomImage(long seed, int size) {
    byte[] px = new byte[size * size * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(size, size, px);
  }

  static MaskImage mask(int size, boolean[] on) {
    byte[] lv = new byte[size * size];
    for (int i = 0; i < lv.length; i++) lv[i] = (byte) (on[i] ? 255 : 0);
    return new MaskImage(size, size, lv);
  }

  static MaskImage randomMask(long seed, int size, double p) {
    Random r = new Random(seed);
    boolean[] on = new boolean[size * size];
    for (int i = 0; i < on.length; i++) on[i] = r.nextDouble() < p;
    return mask(size, on);
  }

  @Test
  @DisplayName("an edit with an empty mask returns the template byte for byte")
  void emptyMask() {
    RgbImage t = randomImage(1, S);
    EditResult r =
        engine.edit(
            new EditRequest(t, mask(S, new boolean[S * S]), "red circle", null, 5L, null),
            true,
            StepListener.NONE);
    assertArrayEquals(t.pixels(), r.rgb());
    assertEquals(0.0, r.maskRatio());
  }

  @Test
  @DisplayName(
      "the quality knob: all steps full = full recompute exactly; none = the cached edit; between"
          + " differs from both")
  void fullStepsKnob() {
    // The trained model: its prompt moves the unmasked rows enough that cached ≠ full in bytes.
    DitModel trained = DitModel.load(Path.of("models", "default"));
    EditCase ec =
        new SceneGenerator(trained.config().imageSize(), SceneStyle.of(trained.config()))
            .editCase(3);
    EditRequest req = new EditRequest(ec.template().image(), ec.mask(), ec.prompt(), 6, 9L, null);
    EditEngine plain = new EditEngine(trained, new CpuBackend(), 4);
    byte[] full = plain.edit(req, false, StepListener.NONE).rgb();
    byte[] cached = plain.edit(req, true, StepListener.NONE).rgb();
    assertFalse(Arrays.equals(full, cached), "this case must tell cached from full");
    // the knob counts at the model's default 20 steps: 20 and more cover all 6 of this edit's,
    // 6 of 20 cover ⌈6·6/20⌉ = 2 of them
    assertEquals(20, trained.config().defaultSteps());
    EditEngine knob = new EditEngine(trained, new CpuBackend(), 4);
    assertArrayEquals(full, knob.withFullSteps(20).edit(req, true, StepListener.NONE).rgb());
    assertArrayEquals(full, knob.withFullSteps(30).edit(req, true, StepListener.NONE).rgb());
    assertArrayEquals(cached, knob.withFullSteps(0).edit(req, true, StepListener.NONE).rgb());
    byte[] two = knob.withFullSteps(6).edit(req, true, StepListener.NONE).rgb();
    assertFalse(Arrays.equals(two, full), "two full steps, then cached ones");
    assertFalse(Arrays.equals(two, cached));
    assertThrows(IllegalArgumentException.class, () -> knob.withFullSteps(-1));
  }

  @Test
  @DisplayName("every edit, cached or fully recomputed, leaves unmasked pixels byte-identical")
  void unmaskedPixelsIdentical() {
    for (int k = 0; k < 4; k++) {
      RgbImage t = randomImage(10 + k, S);
      MaskImage m = randomMask(20 + k, S, 0.05 + 0.1 * k);
      for (boolean cache : new boolean[] {true, false}) {
        EditResult r =
            engine.edit(
                new EditRequest(t, m, "a blue star", 3, 7L, 2.5f), cache, StepListener.NONE);
        boolean changed = false;
        for (int px = 0; px < S * S; px++) {
          boolean masked = (m.levels()[px] & 0xff) >= 128;
          for (int ch = 0; ch < 3; ch++) {
            if (!masked) {
              assertEquals(
                  t.pixels()[px * 3 + ch],
                  r.rgb()[px * 3 + ch],
                  "pixel " + px + " channel " + ch + " cache=" + cache);
            } else if (t.pixels()[px * 3 + ch] != r.rgb()[px * 3 + ch]) {
              changed = true;
            }
          }
        }
        assertTrue(
            changed, "the masked region should change (case " + k + ", cache=" + cache + ")");
      }
    }
  }

  @Test
  @DisplayName(
      "the same request and seed give the same bytes; the template run is cached for the next edit")
  void deterministicAndCached() {
    RgbImage t = randomImage(5, S);
    MaskImage m = randomMask(6, S, 0.2);
    EditRequest req = new EditRequest(t, m, "green square", 3, 42L, null);
    EditResult a = engine.edit(req, true, StepListener.NONE);
    EditResult b = engine.edit(req, true, StepListener.NONE);
    assertFalse(a.cacheHit());
    assertTrue(b.cacheHit());
    assertArrayEquals(a.rgb(), b.rgb());
    EditResult other =
        engine.edit(new EditRequest(t, m, "green square", 3, 43L, null), true, StepListener.NONE);
    assertNotEquals(
        java.util.Arrays.toString(a.rgb()),
        java.util.Arrays.toString(other.rgb()),
        "another seed, another edit");
    assertEquals(a.templateId(), other.templateId());
  }

  @Test
  @DisplayName("with every pixel masked, the cached edit equals the full-recompute edit exactly")
  void allMaskedCachedEqualsFull() {
    RgbImage t = randomImage(8, S);
    boolean[] on = new boolean[S * S];
    java.util.Arrays.fill(on, true);
    EditRequest req = new EditRequest(t, mask(S, on), "yellow ring", 3, 9L, 3f);
    assertArrayEquals(
        engine.edit(req, false, StepListener.NONE).rgb(),
        engine.edit(req, true, StepListener.NONE).rgb());
  }

  @Test
  @DisplayName("bad requests fail with a message: sizes, prompt words, prompt length, steps")
  void badInput() {
    RgbImage t = randomImage(1, S);
    MaskImage m = randomMask(2, S, 0.3);
    EditException size =
        assertThrows(
            EditException.class,
            () ->
                engine.prepare(
                    new EditRequest(
                        randomImage(1, S * 2),
                        randomMask(2, S * 2, 0.3),
                        "red",
                        null,
                        null,
                        null)));
    assertTrue(
        size.getMessage().contains("32x32") && size.getMessage().contains("16x16"),
        size.getMessage());
    EditException mismatch =
        assertThrows(
            EditException.class,
            () ->
                engine.prepare(
                    new EditRequest(t, randomMask(2, S * 2, 0.3), "red", null, null, null)));
    assertTrue(mismatch.getMessage().contains("mask is 32x32"), mismatch.getMessage());
    PromptException word =
        assertThrows(
            PromptException.class,
            () -> engine.prepare(new EditRequest(t, m, "a red unicorn", null, null, null)));
    assertTrue(
        word.getMessage().contains("unicorn") && word.getMessage().contains("circle"),
        word.getMessage());
    PromptException many =
        assertThrows(
            PromptException.class,
            () ->
                engine.prepare(
                    new EditRequest(t, m, "a red circle and a blue star", null, null, null)));
    assertTrue(many.getMessage().contains("at most 4"), many.getMessage());
    for (int steps : new int[] {0, -3}) {
      EditException e =
          assertThrows(
              EditException.class,
              () -> engine.prepare(new EditRequest(t, m, "red", steps, null, null)));
      assertTrue(e.getMessage().contains("steps"), e.getMessage());
    }
  }

  @Test
  @DisplayName(
      "the knob's full steps scale with an edit's steps: 6 of 20 is 2 of 5, 3 of 10, 12 of 40;"
          + " rounded up; never more than the edit's steps")
  void fullStepsScale() {
    assertEquals(6, EditJob.fullStepsFor(6, 20, 20));
    assertEquals(2, EditJob.fullStepsFor(6, 5, 20));
    assertEquals(3, EditJob.fullStepsFor(6, 10, 20));
    assertEquals(12, EditJob.fullStepsFor(6, 40, 20));
    assertEquals(1, EditJob.fullStepsFor(1, 1, 20));
    assertEquals(0, EditJob.fullStepsFor(0, 40, 20));
    assertEquals(6, EditJob.fullStepsFor(100, 6, 20));
    assertThrows(IllegalArgumentException.class, () -> EditJob.fullStepsFor(-1, 6, 20));
  }
}
