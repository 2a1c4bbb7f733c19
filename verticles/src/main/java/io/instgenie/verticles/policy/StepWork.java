package io.instgenie.verticles.policy;

import java.util.Objects;

/**
 * What a member asks of the steps ahead: the rows it computes in each of its next {@code rowsSteps}
 * steps ({@code rows}: masked tokens × guidance branches; every token for a template run, with the
 * cache off, or in an edit's first full steps, the quality knob), then {@code laterRows} per step
 * for the rest of its {@code remainingSteps}; its deadline (epoch ms; {@link Long#MAX_VALUE}: none)
 * and its priority class. An edit in its full steps thus costs what it will cost, not its present
 * rows for every step left, and a queued edit its full steps too.
 */
public record StepWork(
    int rows,
    int remainingSteps,
    long deadlineMs,
    Priority priority,
    int rowsSteps,
    int laterRows) {
  /** A member nothing is known of: one row, one step, no deadline, interactive. */
  public static final StepWork UNKNOWN = new StepWork(1, 1, Long.MAX_VALUE, Priority.INTERACTIVE);

  public StepWork {
    Objects.requireNonNull(priority, "priority");
    if (rows < 0 || remainingSteps < 0 || rowsSteps < 0 || laterRows < 0)
      throw new IllegalArgumentException("rows and steps must not be negative");
    rowsSteps = Math.min(rowsSteps, remainingSteps);
    if (rowsSteps == 0) { // in its later phase: rows is the next step's
      rows = laterRows;
      rowsSteps = remainingSteps;
    }
  }

  /** The same rows in every remaining step. */
  public StepWork(int rows, int remainingSteps, long deadlineMs, Priority priority) {
    this(rows, remainingSteps, deadlineMs, priority, remainingSteps, rows);
  }

  /** Remaining work in computed rows: the key of {@link Scheduling#SRPT}. */
  public long remainingRows() {
    return (long) rows * rowsSteps + (long) laterRows * (remainingSteps - rowsSteps);
  }

  /** What is left after one more step. */
  public StepWork afterStep() {
    if (remainingSteps == 0) throw new IllegalStateException("no step left");
    return new StepWork(rows, remainingSteps - 1, deadlineMs, priority, rowsSteps - 1, laterRows);
  }
}
