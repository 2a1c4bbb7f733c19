package io.instgenie.verticles.policy;

import java.util.Objects;

/**
 * What a member asks of the steps ahead: the rows it computes per step (masked tokens × guidance
 * branches; every token for a template run or with the cache off), its remaining steps, its
 * deadline (epoch ms; {@link Long#MAX_VALUE}: none) and its priority class.
 */
public record StepWork(int rows, int remainingSteps, long deadlineMs, Priority priority) {
  /** A member nothing is known of: one row, one step, no deadline, interactive. */
  public static final StepWork UNKNOWN = new StepWork(1, 1, Long.MAX_VALUE, Priority.INTERACTIVE);

  public StepWork {
    Objects.requireNonNull(priority, "priority");
    if (rows < 0 || remainingSteps < 0)
      throw new IllegalArgumentException("rows and remaining steps must not be negative");
  }

  /** Remaining work in computed rows: the key of {@link Scheduling#SRPT}. */
  public long remainingRows() {
    return (long) rows * remainingSteps;
  }
}
