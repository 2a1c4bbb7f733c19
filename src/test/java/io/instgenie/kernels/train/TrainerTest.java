package io.instgenie.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneTrainingData;
import java.nio.file.Path;
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

  @Test
  void lossFallsOnScenes() {
    try (Trainer t = Trainer.start(C, config(60), DATA, 2)) {
      double first = 0;
      double last = 0;
      for (int s = 0; s < 60; s++) {
        double loss = t.trainStep();
        if (s < 10) first += loss / 10;
        if (s >= 50) last += loss / 10;
      }
      assertTrue(last < 0.8 * first, "loss went from " + first + " to " + last);
    }
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
      assertEquals(3, t.step());
      t.run(ck, 100, null);
      Map<String, TensorData> resumed = t.emaWeights();
      for (String name : straight.keySet()) {
        assertArrayEquals(straight.get(name).data(), resumed.get(name).data(), name);
      }
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
