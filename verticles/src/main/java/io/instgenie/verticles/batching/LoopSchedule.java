package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.policy.StepPolicy;

/**
 * A step loop's schedule in force: the policy that chooses a step's members, the row budget of a
 * step and the calibrated costs an automatic budget is sized from. Set from any thread; the loop
 * applies a change to its batch before its next step.
 */
final class LoopSchedule {
  private final ModelConfig config;
  private volatile StepPolicy policy = StepPolicy.FCFS;
  private volatile int maxStepTokens;
  private volatile CostModel calibrated;
  private volatile boolean changed;

  LoopSchedule(ModelConfig config) {
    this.config = config;
  }

  void set(StepPolicy policy, int maxStepTokens) {
    if (maxStepTokens < 0) throw new IllegalArgumentException("max step tokens must be >= 0");
    this.policy = policy;
    this.maxStepTokens = maxStepTokens;
    changed = true;
  }

  void calibrated(CostModel calibrated) {
    this.calibrated = calibrated;
    changed = true;
  }

  /** The row budget of a step (after calibration, for the auto budget). */
  long maxStepRows() {
    return StepRows.of(maxStepTokens, policy.scheduling(), calibrated, config);
  }

  /** On the loop's thread: gives {@code batch} the schedule if it changed since the last call. */
  void applyTo(StepBatch<?> batch) {
    if (!changed) return;
    changed = false;
    long shared = StepRows.shared(maxStepTokens, policy.scheduling(), calibrated, config);
    batch.schedule(policy, maxStepRows(), shared);
  }
}
