package io.instgenie.kernels.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Hyper-parameters of a training run. Together with the model architecture and the data they
 * determine the run: the same config and seed give the same weights on any machine with the same
 * thread count.
 */
public record TrainConfig(
    @JsonProperty("steps") int steps,
    @JsonProperty("batch") int batch,
    @JsonProperty("lr") double lr,
    @JsonProperty("warmup") int warmup,
    @JsonProperty("weight_decay") double weightDecay,
    @JsonProperty("ema") double ema,
    @JsonProperty("caption_dropout") double captionDropout,
    @JsonProperty("grad_clip") double gradClip,
    @JsonProperty("seed") long seed) {

  public TrainConfig {
    if (steps <= 0) throw new IllegalArgumentException("steps must be positive, got " + steps);
    if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
    if (warmup < 0) throw new IllegalArgumentException("warmup must be ≥ 0, got " + warmup);
    if (!(ema >= 0 && ema < 1)) throw new IllegalArgumentException("ema must be in [0, 1)");
    if (!(captionDropout >= 0 && captionDropout <= 1)) {
      throw new IllegalArgumentException("caption dropout must be in [0, 1]");
    }
  }

  /** Learning rate at a step: linear warm-up, then cosine decay to a tenth of the peak. */
  public double lrAt(int step) {
    if (step < warmup) return lr * (step + 1) / warmup;
    double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
    return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
  }
}
