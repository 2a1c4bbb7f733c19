package io.instgenie.verticles.sim;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.CostModel;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.model.ModelConfig;
import java.util.Objects;

/**
 * What a simulation runs on: the model shape (token counts, FLOPs and activation bytes follow from
 * it), the workers, their batch capacity, the guidance branches per edit, the calibrated costs
 * (compute per block against FLOPs, load per tier against bytes, in ms) and each worker's cache
 * tiers, and the quality knob {@code fullSteps} (counted at the model's default step count, as the
 * service's {@code full_steps}: an edit's first steps compute every token; 0: none).
 */
public record SimConfig(
    ModelConfig model,
    int workers,
    int maxBatch,
    int branches,
    CostModel costs,
    long memoryBytes,
    long diskBytes,
    Precision precision,
    int fullSteps) {
  public SimConfig {
    if (fullSteps < 0) throw new IllegalArgumentException("full steps must be >= 0");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(costs, "costs");
    Objects.requireNonNull(precision, "precision");
    if (workers < 1 || maxBatch < 1)
      throw new IllegalArgumentException("workers and max batch must be >= 1");
    if (branches < 1 || branches > 2)
      throw new IllegalArgumentException("branches must be 1 or 2, got " + branches);
    if (memoryBytes < 0 || diskBytes < 0)
      throw new IllegalArgumentException("cache sizes must not be negative");
    if (diskBytes > 0 && !costs.load().containsKey(TierKind.DISK))
      throw new IllegalArgumentException("a disk tier needs a disk load fit in the costs");
  }

  /** Bytes of one (step, block) segment of a template's cached activations. */
  public int segmentBytes() {
    return ActivationShape.of(model, 1, precision).segmentBytes();
  }

  /** Bytes of one template's cached activations for {@code steps} steps. */
  public long templateBytes(int steps) {
    return ActivationShape.of(model, steps, precision).totalBytes();
  }
}
