package io.instgenie.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.ModelFormatException;
import io.instgenie.kernels.io.SafeTensors;
import io.instgenie.kernels.io.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  private static final ModelConfig C = Presets.tiny();

  @Test
  @DisplayName("a model written in F32 loads back with identical weights and digest")
  void f32RoundTrip(@TempDir Path dir) {
    Map<String, TensorData> w = ModelFiles.randomWeights(C, 5);
    ModelFiles.write(dir, C, w, DType.F32);
    DitModel loaded = DitModel.load(dir);
    assertEquals(C, loaded.config());
    assertEquals(Weights.of(C, w).digest(), loaded.digest());
    float[] qkv = w.get("blocks.1.attn.qkv.weight").data();
    assertArrayEquals(qkv, loaded.weights().get("blocks.1.attn.qkv.weight").toArray(0, qkv.length));
  }

  @Test
  @DisplayName("a model written in BF16 loads back rounded to BF16, so its digest differs")
  void bf16RoundTrip(@TempDir Path dir) {
    Map<String, TensorData> w = ModelFiles.randomWeights(C, 5);
    ModelFiles.write(dir, C, w, DType.BF16);
    DitModel loaded = DitModel.load(dir);
    float[] src = w.get("final.linear.weight").data();
    float[] got = loaded.weights().get("final.linear.weight").toArray(0, src.length);
    for (int i = 0; i < src.length; i++) {
      assertEquals(DType.bf16ToFloat(DType.floatToBf16(src[i])), got[i], "element " + i);
    }
    assertNotEquals(Weights.of(C, w).digest(), loaded.digest());
  }

  @Test
  @DisplayName(
      "a rewrite that fails while writing the weights leaves the previous model whole, no temp"
          + " file behind")
  void failedRewriteKeepsThePreviousModel(@TempDir Path dir) throws Exception {
    Map<String, TensorData> first = ModelFiles.randomWeights(C, 5);
    ModelFiles.write(dir, C, first, DType.F32);
    String config = Files.readString(dir.resolve(ModelFiles.CONFIG));
    Map<String, TensorData> failing =
        new LinkedHashMap<>(ModelFiles.randomWeights(C, 6)) {
          @Override
          public Collection<TensorData> values() {
            throw new IllegalStateException("disk full (simulated)");
          }
        };
    assertThrows(
        IllegalStateException.class,
        () -> ModelFiles.write(dir, C.withSampling(7, 2f), failing, DType.F32));
    assertEquals(Weights.of(C, first).digest(), DitModel.load(dir).digest());
    assertEquals(config, Files.readString(dir.resolve(ModelFiles.CONFIG)));
    try (var files = Files.list(dir)) {
      assertEquals(
          Set.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS),
          files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  @DisplayName("a missing tensor or a wrong shape is named in the error")
  void missingAndMisshapen(@TempDir Path dir) {
    Map<String, TensorData> w = new LinkedHashMap<>(ModelFiles.randomWeights(C, 5));
    w.remove("blocks.0.mlp.fc2.bias");
    ModelFiles.write(dir, C, w, DType.F32);
    ModelFormatException missing =
        assertThrows(ModelFormatException.class, () -> DitModel.load(dir));
    assertTrue(missing.getMessage().contains("blocks.0.mlp.fc2.bias"), missing.getMessage());

    w = new LinkedHashMap<>(ModelFiles.randomWeights(C, 5));
    w.put(
        "prompt_pos",
        new TensorData(DType.F32, new long[] {3, C.hiddenSize()}, new float[3 * C.hiddenSize()]));
    SafeTensors.write(dir.resolve(ModelFiles.WEIGHTS), w, DType.F32, null);
    ModelFormatException shape = assertThrows(ModelFormatException.class, () -> DitModel.load(dir));
    assertTrue(
        shape.getMessage().contains("prompt_pos") && shape.getMessage().contains("[3, 32]"),
        shape.getMessage());
  }

  @Test
  @DisplayName("model.json is validated with a message")
  void badConfig(@TempDir Path dir) throws Exception {
    ModelFiles.write(dir, C, ModelFiles.randomWeights(C, 1), DType.F32);
    Path json = dir.resolve("model.json");
    String good = Files.readString(json);
    Files.writeString(json, good.replace("instgenie-dit/1", "other/2"));
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> ModelFiles.readConfig(dir));
    assertTrue(e.getMessage().contains("format must be"), e.getMessage());
    Files.writeString(json, good.replaceAll("\"depth\"\\s*:\\s*2\\s*,", ""));
    ModelFormatException key =
        assertThrows(ModelFormatException.class, () -> ModelFiles.readConfig(dir));
    assertTrue(key.getMessage().contains("'depth'"), key.getMessage());
    ModelFormatException none =
        assertThrows(ModelFormatException.class, () -> ModelFiles.readConfig(dir.resolve("nope")));
    assertTrue(none.getMessage().contains("model.json is missing"), none.getMessage());
    for (String g : new String[] {"-5.0", "31.0"}) {
      Files.writeString(
          json,
          good.replaceAll("\"default_guidance\"\\s*:\\s*[0-9.]+", "\"default_guidance\" : " + g));
      ModelFormatException guidance =
          assertThrows(ModelFormatException.class, () -> ModelFiles.readConfig(dir), g);
      assertTrue(
          guidance.getMessage().contains("default_guidance must be between 0.0 and 30.0, got " + g),
          guidance.getMessage());
    }
  }
}
