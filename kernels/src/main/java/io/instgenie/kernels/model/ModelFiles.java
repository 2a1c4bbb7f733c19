package io.instgenie.kernels.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.instgenie.kernels.io.AtomicFiles;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.ModelFormatException;
import io.instgenie.kernels.io.SafeTensors;
import io.instgenie.kernels.io.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A model folder: {@code model.json} and {@code weights.safetensors}. */
public final class ModelFiles {
  public static final String CONFIG = "model.json";
  public static final String WEIGHTS = "weights.safetensors";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ModelFiles() {}

  public static ModelConfig readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException("no model at " + dir + ": " + CONFIG + " is missing");
    }
    try {
      return JSON.readValue(file.toFile(), ModelConfig.class);
    } catch (ModelFormatException e) {
      throw e;
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof ModelFormatException m) throw m;
      String key =
          e.getPath().isEmpty()
              ? ""
              : " key '" + e.getPath().get(e.getPath().size() - 1).getFieldName() + "'";
      throw new ModelFormatException(
          file
              + ":"
              + key
              + " is missing or invalid: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (JsonProcessingException e) {
      throw new ModelFormatException(file + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static Weights readWeights(Path dir, ModelConfig config) {
    Path file = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException("no weights at " + dir + ": " + WEIGHTS + " is missing");
    }
    return Weights.of(config, SafeTensors.read(file));
  }

  /**
   * Writes both files (weights as F32 or BF16), each all-or-nothing (a killed export leaves the
   * previous file or the new one, never a torn one), the weights first: a model that is read while
   * its folder is rewritten has at worst the new weights beside the previous {@code model.json}.
   */
  public static void write(
      Path dir, ModelConfig config, Map<String, TensorData> tensors, DType as) {
    try {
      Files.createDirectories(dir);
      SafeTensors.write(dir.resolve(WEIGHTS), tensors, as, Map.of("format", ModelConfig.FORMAT));
      byte[] json = (JSON.writeValueAsString(config) + "\n").getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(dir.resolve(CONFIG), out -> out.write(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model to " + dir, e);
    }
  }

  /**
   * Every tensor drawn from N(0, 0.02) by one {@link Random} seeded with {@code seed}, in canonical
   * order.
   */
  public static Map<String, TensorData> randomWeights(ModelConfig config, long seed) {
    Random r = new Random(seed);
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : WeightNames.expected(config).entrySet()) {
      long n = 1;
      for (long d : e.getValue()) n *= d;
      float[] v = new float[(int) n];
      for (int i = 0; i < v.length; i++) v[i] = (float) (0.02 * r.nextGaussian());
      out.put(e.getKey(), new TensorData(DType.F32, e.getValue(), v));
    }
    return out;
  }

  public static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + o.getClass().getSimpleName(), e);
    }
  }
}
