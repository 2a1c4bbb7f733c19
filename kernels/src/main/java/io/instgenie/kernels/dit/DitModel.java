package io.instgenie.kernels.dit;

import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.file.Path;

/**
 * A loaded model: its architecture, its weights, and per image token the constant part of its
 * embedding, x_embedder.bias + pe(token) ([L, H]).
 */
public record DitModel(ModelConfig config, Weights weights, FloatBuf tokenBias) {

  public static DitModel of(ModelConfig config, Weights weights) {
    float[] pe = Embeddings.positions(config);
    FloatBuf bias = weights.get("x_embedder.bias");
    int h = config.hiddenSize();
    for (int i = 0; i < pe.length; i++) pe[i] += bias.get(i % h);
    return new DitModel(config, weights, FloatBuf.of(pe));
  }

  /** Reads a model folder (model.json + weights.safetensors); errors name the file or tensor. */
  public static DitModel load(Path dir) {
    ModelConfig config = ModelFiles.readConfig(dir);
    return of(config, ModelFiles.readWeights(dir, config));
  }

  /** A randomly initialised model (every weight N(0, 0.02) from {@code seed}). */
  public static DitModel random(ModelConfig config, long seed) {
    return of(config, Weights.of(config, ModelFiles.randomWeights(config, seed)));
  }

  /** Identifies the weights in template ids (SHA-256 hex). */
  public String digest() {
    return weights.digest();
  }
}
