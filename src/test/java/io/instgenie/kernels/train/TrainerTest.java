package io.instgenie.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneTrainingData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run on the tiny model: the loss falls, and a resumed run is the uninterrupted run. */
class TrainerTest {
  /** The tiny model with room for scene captions (8 prompt tokens). */
  private static final ModelConfig C =
      new ModelConfig(ModelConfig.FORMAT, 16, 3, 4, 32, 2, 2, 4, 8, Presets.VOCAB, 4, 3f, null);

  private static final Trainer.Data DATA = new SceneTrainingData(C.imageSize());

  private static TrainConfig config(int steps) {
    return new TrainConfig(steps, 8, 3e-3, 5, 0.01, 0.9, 0.1, 1.0, 42);
  }

  /**
   * The best constant prediction of v = ε − x₀ is −E[x₀] per value, with loss 1 + Var(x₀) (ε has
   * unit variance); a model that reads x_t must get well below that.
   */
  @Test
  void lossFallsBelowWhatAConstantCanReach() {
    int n = 256;
    int values = 3 * C.imageSize() * C.imageSize();
    double[] sum = new double[values];
    double[] sq = new double[values];
    for (int i = 0; i < n; i++) {
      float[] x = DATA.example(Trainer.exampleSeed(7, 0, i)).chw();
      for (int j = 0; j < values; j++) {
        sum[j] += x[j];
        sq[j] += (double) x[j] * x[j];
      }
    }
    double var = 0;
    for (int j = 0; j < values; j++) var += sq[j] / n - (sum[j] / n) * (sum[j] / n);
    double constant = 1 + var / values;
    try (Trainer t = Trainer.start(C, config(80), DATA, 2)) {
      double last = 0;
      for (int s = 0; s < 80; s++) {
        double loss = t.trainStep();
        if (s >= 70) last += loss / 10;
      }
      assertTrue(
          last < 0.85 * constant,
          "mean loss of the last 10 steps " + last + " vs a constant's " + constant);
    }
  }

  @Test
  void theThreadCountOnlyChangesRoundingOrder() {
    double[] one = new double[2];
    double[] two = new double[2];
    try (Trainer t = Trainer.start(C, config(2), DATA, 1)) {
      one[0] = t.trainStep();
      one[1] = t.trainStep();
    }
    try (Trainer t = Trainer.start(C, config(2), DATA, 2)) {
      two[0] = t.trainStep();
      two[1] = t.trainStep();
    }
    assertEquals(one[0], two[0], 1e-6 * one[0], "same weights, same examples: same loss");
    assertEquals(one[1], two[1], 1e-3 * one[1], "after one update");
  }

  @Test
  void learningRateWarmsUpThenDecaysToATenth() {
    TrainConfig tc = new TrainConfig(105, 8, 1e-3, 5, 0, 0.9, 0, 1, 1);
    assertEquals(2e-4, tc.lrAt(0), 1e-12);
    assertEquals(1e-3, tc.lrAt(4), 1e-12);
    assertEquals(1e-3, tc.lrAt(5), 1e-12);
    assertEquals(0.55e-3, tc.lrAt(55), 1e-12);
    assertEquals(1e-4, tc.lrAt(105), 1e-12);
  }

  @Test
  void logitNormalNoiseLevelsGatherInTheMiddle() {
    float[] t = draws(TrainConfig.LOGIT_NORMAL, 7);
    for (float x : t) assertTrue(x > 0 && x < 1, "t = " + x);
    // P(|n| ≤ ln 3) for a standard normal n is 0.7267 (uniform t would give 0.5); ±4 sigma
    assertEquals(0.7267, fraction(t, 0.25f, 0.75f), 0.0126);
    TrainConfig uniform = config(10);
    assertEquals(TrainConfig.UNIFORM, uniform.timeSampling());
    assertEquals(new java.util.Random(3).nextFloat(), uniform.sampleT(new java.util.Random(3)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TrainConfig(10, 8, 1e-3, 0, 0, 0.9, 0, 1, 1, "cosine"));
    assertTrue(e.getMessage().contains("uniform, logit-normal, mixed or high"), e.getMessage());
  }

  @Test
  void mixedNoiseLevelsKeepTheMiddleAndReachTheTop() {
    float[] t = draws(TrainConfig.MIXED, 11);
    for (float x : t) assertTrue(x >= 0 && x < 1, "t = " + x);
    // middle: 0.2 · 0.5 + 0.8 · 0.7267 = 0.6814; above 0.95: 0.2 · 0.05 + 0.8 · P(n > ln 19)
    // = 0.01 + 0.8 · 0.00162 = 0.0113 (logit-normal alone: 0.0016); ±4 sigma
    assertEquals(0.6814, fraction(t, 0.25f, 0.75f), 0.0132);
    assertEquals(0.0113, fraction(t, Math.nextUp(0.95f), 1f), 0.003);
  }

  @Test
  void highNoiseLevelsLeanTowardsNoise() {
    float[] t = draws(TrainConfig.HIGH, 13);
    for (float x : t) assertTrue(x >= 0 && x < 1, "t = " + x);
    // above 0.75: 0.2 · 0.25 + 0.8 · P(n + 1 > ln 3) = 0.05 + 0.8 · P(n > 0.0986) = 0.05 + 0.8 ·
    // 0.4607 = 0.4186 (mixed: 0.05 + 0.8 · 0.1360 = 0.1588); ±4 sigma
    assertEquals(0.4186, fraction(t, Math.nextUp(0.75f), 1f), 0.0140);
    // below 0.25: 0.2 · 0.25 + 0.8 · P(n < −ln 3 − 1) = 0.05 + 0.8 · 0.0179 = 0.0643
    assertEquals(0.0643, fraction(t, 0f, 0.25f), 0.0070);
  }

  /** 20,000 noise levels drawn as a run with this sampling draws them. */
  private static float[] draws(String sampling, long seed) {
    TrainConfig tc = new TrainConfig(10, 8, 1e-3, 0, 0, 0.9, 0, 1, 1, sampling);
    java.util.Random r = new java.util.Random(seed);
    float[] t = new float[20_000];
    for (int i = 0; i < t.length; i++) t[i] = tc.sampleT(r);
    return t;
  }

  /** The fraction of {@code t} in [lo, hi]. */
  private static double fraction(float[] t, float lo, float hi) {
    int n = 0;
    for (float x : t) if (x >= lo && x <= hi) n++;
    return (double) n / t.length;
  }

  @Test
  void objectPatchesWeighMoreAndTheMeanWeightStaysOne() {
    TrainConfig tc = new TrainConfig(10, 8, 1e-3, 0, 0, 0.9, 0, 1, 1, TrainConfig.UNIFORM, 3.0);
    // 16×16 pixels, patch 8: four tokens; one focus pixel in the bottom-left patch
    boolean[] focus = new boolean[16 * 16];
    focus[9 * 16 + 2] = true;
    float[] w = tc.tokenWeights(focus, 16, 8);
    // raw [1, 1, 3, 1], scaled by 4 / 6
    assertArrayEquals(new float[] {4f / 6, 4f / 6, 2f, 4f / 6}, w, 1e-6f);
    assertEquals(null, tc.tokenWeights(null, 16, 8), "no focus: no weights");
    assertEquals(null, config(10).tokenWeights(focus, 16, 8), "object weight 1: no weights");
    assertEquals(1.0, config(10).objectWeight());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TrainConfig(10, 8, 1e-3, 0, 0, 0.9, 0, 1, 1, TrainConfig.UNIFORM, 0.0));
    assertTrue(e.getMessage().contains("object weight"), e.getMessage());
  }

  @Test
  void objectWeightChangesTheRunAndBindsItsCheckpoint(@TempDir Path dir) {
    TrainConfig plain = config(4);
    TrainConfig weighted =
        new TrainConfig(4, 8, 3e-3, 5, 0.01, 0.9, 0.1, 1.0, 42, TrainConfig.UNIFORM, 4.0);
    Path ck = dir.resolve("w.safetensors");
    Map<String, TensorData> a;
    Map<String, TensorData> b;
    try (Trainer t = Trainer.start(C, plain, DATA, 2)) {
      t.run(null, 0, null);
      a = t.weights();
    }
    try (Trainer t = Trainer.start(C, weighted, DATA, 2)) {
      t.run(ck, 4, null);
      b = t.weights();
    }
    String name = "final.linear.weight";
    assertFalse(
        Arrays.equals(a.get(name).data(), b.get(name).data()),
        "a weighted loss trains other weights");
    assertEquals(4.0, Checkpoint.read(ck).train().objectWeight());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Trainer.resume(ck, C, plain, DATA, 2).close());
    assertTrue(e.getMessage().contains("was made with"), "resuming unweighted: " + e.getMessage());
  }

  @Test
  void adamWFirstStepMovesEachWeightByTheLearningRate() {
    Params w = Params.zeros(C);
    Params g = Params.zeros(C);
    String m = "blocks.0.mlp.fc1.weight";
    String b = "blocks.0.mlp.fc1.bias";
    w.get(m).set(0, 2f);
    g.get(m).set(0, 0.5f);
    g.get(m).set(1, -3f);
    w.get(b).set(0, 2f);
    g.get(b).set(0, 0.5f);
    new AdamW(Params.zeros(C), Params.zeros(C)).update(w, g, 1, 0.1, 0.01);
    // step 1: m̂ = g, v̂ = g², so the step is lr·sign(g) (+ lr·wd·w for matrices only)
    assertEquals(2 - 0.1 * (1 + 0.01 * 2), w.get(m).get(0), 1e-6);
    assertEquals(0.1, w.get(m).get(1), 1e-6);
    assertEquals(2 - 0.1, w.get(b).get(0), 1e-6);
    assertEquals(0f, w.get(m).get(2));
  }

  @Test
  void resumingFromACheckpointGivesTheSameWeights(@TempDir Path dir) {
    Path ck = dir.resolve("ck.safetensors");
    Map<String, TensorData> straight;
    try (Trainer t = Trainer.start(C, config(6), DATA, 2)) {
      t.run(null, 1, null);
      straight = t.emaWeights();
    }
    try (Trainer t = Trainer.start(C, config(6), DATA, 2)) {
      for (int s = 0; s < 3; s++) t.trainStep();
      t.save(ck);
    }
    try (Trainer t = Trainer.resume(ck, C, config(6), DATA, 2)) {
      assertThrows(IllegalArgumentException.class, () -> Trainer.resume(ck, C, config(6), DATA, 1));
      assertEquals(3, t.step());
      t.run(ck, 100, null);
      Map<String, TensorData> resumed = t.emaWeights();
      for (String name : straight.keySet()) {
        assertArrayEquals(straight.get(name).data(), resumed.get(name).data(), name);
      }
    }
  }

  @Test
  void theHistoryKeepsEveryCommandAndAddsUpTheWallTimeAcrossResumes(@TempDir Path dir) {
    Path ck = dir.resolve("ck.safetensors");
    double first;
    try (Trainer t = Trainer.start(C, config(4), DATA, 2)) {
      t.recordCommand("train --first");
      t.run(ck, 2, null); // checkpoints at steps 2 and 4; stopped after step 2 below
      first = t.history().wallSeconds();
      assertEquals(List.of("train --first"), t.history().commands());
      assertTrue(first > 0);
    }
    try (Trainer t = Trainer.resume(ck, C, config(4), DATA, 2)) {
      assertEquals(first, t.history().wallSeconds(), 1e-9, "the saved wall time comes back");
      assertEquals(List.of("train --first"), t.history().commands());
    }
    try (Trainer t = Trainer.extend(ck, C, config(6), DATA, 2)) {
      t.recordCommand("train --second");
      t.run(ck, 100, null);
      assertEquals(List.of("train --first", "train --second"), t.history().commands());
      assertTrue(t.history().wallSeconds() > first);
    }
    try (Trainer t = Trainer.resume(ck, C, config(6), DATA, 2)) {
      assertEquals(List.of("train --first", "train --second"), t.history().commands());
    }
  }

  @Test
  void aRunCanStartFromAModelsWeightsWithFreshMoments(@TempDir Path dir) {
    Map<String, TensorData> snapshot;
    try (Trainer t = Trainer.start(C, config(3), DATA, 2)) {
      t.run(null, 100, null);
      snapshot = t.emaWeights();
    }
    Map<String, Object> was = Map.of("steps", 3, "images_seen", 24, "commands", List.of("a"));
    Path ck = dir.resolve("ck.safetensors");
    try (Trainer t = Trainer.startFrom(C, config(2), DATA, 2, snapshot, was)) {
      assertEquals(was, t.history().startsFrom(), "the history says where the run started");
      assertEquals(0, t.step(), "a new run: its own schedule from step 0");
      Map<String, TensorData> w = t.weights();
      Map<String, TensorData> ema = t.emaWeights();
      for (Map.Entry<String, TensorData> e : snapshot.entrySet()) {
        assertArrayEquals(e.getValue().data(), w.get(e.getKey()).data(), e.getKey());
        assertArrayEquals(e.getValue().data(), ema.get(e.getKey()).data(), e.getKey());
      }
      t.run(ck, 100, null);
      assertEquals(2, t.step());
      assertFalse(
          Arrays.equals(
              snapshot.get("final.linear.weight").data(),
              t.weights().get("final.linear.weight").data()),
          "it trains on from there");
    }
    try (Trainer t = Trainer.resume(ck, C, config(2), DATA, 2)) {
      assertEquals(was, t.history().startsFrom(), "and so does its checkpoint");
      t.startedFrom(Map.of("steps", 99));
      assertEquals(was, t.history().startsFrom(), "a recorded start is not overwritten");
    }
  }

  @Test
  void aRunBegunBeforeCheckpointsRecordedItsStartLearnsItWhenResumed(@TempDir Path dir) {
    Path ck = dir.resolve("ck.safetensors");
    try (Trainer t = Trainer.start(C, config(1), DATA, 2)) {
      t.run(ck, 100, null);
    }
    try (Trainer t = Trainer.resume(ck, C, config(1), DATA, 2)) {
      assertNull(t.history().startsFrom(), "a fresh run starts from nothing");
      t.startedFrom(Map.of("steps", 7));
      assertEquals(Map.of("steps", 7), t.history().startsFrom());
      t.save(ck);
    }
    try (Trainer t = Trainer.resume(ck, C, config(1), DATA, 2)) {
      assertEquals(Map.of("steps", 7), t.history().startsFrom());
    }
  }

  @Test
  void aFinishedRunCanBeExtendedWithMoreStepsAndAnotherObjectWeightOnly(@TempDir Path dir) {
    Path ck = dir.resolve("ck.safetensors");
    try (Trainer t = Trainer.start(C, config(3), DATA, 2)) {
      t.run(ck, 100, null);
    }
    try (Trainer t = Trainer.extend(ck, C, config(5), DATA, 2)) {
      assertEquals(3, t.step());
      t.run(null, 1, null);
      assertEquals(5, t.step());
    }
    TrainConfig otherLr = new TrainConfig(5, 8, 1e-3, 5, 0.01, 0.9, 0.1, 1.0, 42);
    assertThrows(IllegalArgumentException.class, () -> Trainer.extend(ck, C, otherLr, DATA, 2));
    assertThrows(IllegalArgumentException.class, () -> Trainer.extend(ck, C, config(3), DATA, 2));
    // the loss's object weight may change (here a weighted loss after the plain one)
    TrainConfig weighted =
        new TrainConfig(6, 8, 3e-3, 5, 0.01, 0.9, 0.1, 1.0, 42, TrainConfig.UNIFORM, 2.0);
    try (Trainer t = Trainer.extend(ck, C, weighted, DATA, 2)) {
      assertEquals(3, t.step());
      t.run(null, 1, null);
      assertEquals(6, t.step());
    }
  }

  @Test
  void aCheckpointOfOtherSettingsIsRefused(@TempDir Path dir) {
    Path ck = dir.resolve("ck.safetensors");
    try (Trainer t = Trainer.start(C, config(6), DATA, 2)) {
      t.trainStep();
      t.save(ck);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Trainer.resume(ck, C, config(7), DATA, 2));
    assertTrue(e.getMessage().contains("was made with"), e.getMessage());
  }
}
