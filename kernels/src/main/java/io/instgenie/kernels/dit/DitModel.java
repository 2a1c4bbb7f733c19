package io.instgenie.kernels.dit;

import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;

/** A loaded model: its architecture, its weights and the fixed position table. */
public record DitModel(ModelConfig config, Weights weights, FloatBuf positions) {

  public static DitModel of(ModelConfig config, Weights weights) {
    return new DitModel(config, weights, FloatBuf.of(Embeddings.positions(config)));
  }

  /** Reads a model folder (model.json + weights.safetensors); errors name the file or tensor. */
  public static DitModel load(java.nio.file.Path dir) {
    ModelConfig config = io.instgenie.kernels.model.ModelFiles.readConfig(dir);
    return of(config, io.instgenie.kernels.model.ModelFiles.readWeights(dir, config));
  }

  /** A randomly initialised model (every weight N(0, 0.02) from {@code seed}). */
  public static DitModel random(ModelConfig config, long seed) {
    return of(config, Weights.of(config, io.instgenie.kernels.model.ModelFiles.randomWeights(config, seed)));
  }

  /** Identifies the weights in template ids (SHA-256 hex). */
  public String digest() {
    return weights.digest();
  }
}
