package io.instgenie.cache.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.Precision;
import io.instgenie.cache.StoredActivations;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.model.Presets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The quality benchmark's knob rows share their full recomputes and stay what lone runs give. */
class EditQualityBenchTest {
  private static final int CASES = 3;
  private static final int STEPS = 4;

  private static EditEngine engine(DitModel model, int fullSteps) {
    return new EditEngine(model, new CpuBackend(), 4, CacheKind.Y).withFullSteps(fullSteps);
  }

  @Test
  @DisplayName(
      "runEach over knob 0 and knob = all steps: row 0 equals a lone run of knob 0, the last row"
          + " equals full recompute exactly")
  void knobRows() {
    DitModel model = DitModel.random(Presets.tiny(), 3);
    List<EditQualityBench.Result> rows =
        EditQualityBench.runEach(
            List.of(engine(model, 0), engine(model, STEPS)), CASES, 5, STEPS, 2f);
    EditQualityBench.Result alone = EditQualityBench.run(engine(model, 0), CASES, 5, STEPS, 2f);
    assertEquals(2, rows.size());
    for (int i = 0; i < CASES; i++) {
      EditQualityBench.Case shared = rows.get(0).cases().get(i);
      EditQualityBench.Case lone = alone.cases().get(i);
      assertArrayEquals(lone.cached(), shared.cached(), "case " + i + ": the cached edit");
      assertArrayEquals(lone.full(), shared.full(), "case " + i + ": the full recompute");
      assertEquals(lone.ssim(), shared.ssim(), "case " + i + ": SSIM");
      EditQualityBench.Case all = rows.get(1).cases().get(i);
      assertArrayEquals(shared.full(), all.full(), "case " + i + ": one full recompute per case");
      assertArrayEquals(all.full(), all.cached(), "case " + i + ": knob = all steps is full");
    }
    assertEquals(1.0, rows.get(1).meanSsim(), 0.0);
  }

  @Test
  @DisplayName(
      "template storage: an F32 re-encoding changes no cached edit; BF16 keeps the unmasked pixels"
          + " and stays close; the store runs once per template")
  void templateStorage() {
    DitModel model = DitModel.random(Presets.tiny(), 3);
    AtomicInteger stored = new AtomicInteger();
    EditQualityBench.Result plain = EditQualityBench.run(engine(model, 0), CASES, 5, STEPS, 2f);
    EditQualityBench.Result f32 =
        EditQualityBench.run(storing(model, Precision.F32, stored), CASES, 5, STEPS, 2f);
    EditQualityBench.Result bf16 =
        EditQualityBench.run(storing(model, Precision.BF16, stored), CASES, 5, STEPS, 2f);
    assertEquals(2 * CASES, stored.get(), "one template run per case, stored once");
    for (int i = 0; i < CASES; i++) {
      assertArrayEquals(plain.cases().get(i).cached(), f32.cases().get(i).cached(), "case " + i);
      assertArrayEquals(plain.cases().get(i).full(), bf16.cases().get(i).full(), "case " + i);
    }
    assertEquals(CASES, bf16.unmaskedIdentical());
    // BF16 keeps 8 bits of mantissa: each cached value moves by at most 2^-9 of itself
    assertEquals(plain.meanSsim(), bf16.meanSsim(), 0.02);
  }

  @Test
  @DisplayName(
      "the shape confusion counts every case once, and its diagonal is the shape score's count")
  void shapeConfusion() {
    DitModel model = DitModel.random(Presets.tiny(), 3);
    EditQualityBench.Result r = EditQualityBench.run(engine(model, 0), 8, 5, STEPS, 2f);
    Map<String, Map<String, Integer>> confusion = r.shapeConfusion();
    int total = 0;
    int diagonal = 0;
    for (var e : confusion.entrySet()) {
      for (var seen : e.getValue().entrySet()) {
        total += seen.getValue();
        if (seen.getKey().equals(e.getKey())) diagonal += seen.getValue();
      }
    }
    assertEquals(8, total);
    assertEquals(Math.round(r.shapeScore() * 8), diagonal);
    for (EditQualityBench.Case k : r.cases()) {
      String seen = EditQualityBench.seenShape(k.cachedFit());
      assertEquals(k.cachedShape(), seen.equals(k.editCase().target().shape().word()), seen);
    }
  }

  private static EditEngine storing(DitModel model, Precision p, AtomicInteger count) {
    return engine(model, 0)
        .withTemplateStorage(
            run -> {
              count.incrementAndGet();
              return StoredActivations.copyOf(
                  run, ActivationShape.of(model.config(), run.steps(), p, CacheKind.Y));
            });
  }
}
