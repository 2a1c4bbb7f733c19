package io.instgenie.verticles.policy;

/**
 * What one step may run: at most {@code maxMembers} members and {@code maxRows} computed rows, and
 * in a step that carries interactive-level work, lower-class members only while the step stays
 * within {@code sharedRows} rows (so batch work cannot stretch an interactive edit's steps past the
 * end of the flat part of the step time). The first member a step takes is always taken, so a
 * member larger than the row budget still runs ({@link StepFill} applies it).
 */
public record StepBudget(int maxMembers, long maxRows, long sharedRows) {
  /** No row limit: only {@code maxMembers}. */
  public static StepBudget members(int maxMembers) {
    return new StepBudget(maxMembers, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** A row budget that every member shares alike. */
  public StepBudget(int maxMembers, long maxRows) {
    this(maxMembers, maxRows, Long.MAX_VALUE);
  }

  public StepBudget {
    if (maxMembers < 1) throw new IllegalArgumentException("max members must be >= 1");
    if (maxRows < 1) throw new IllegalArgumentException("max step rows must be >= 1");
    if (sharedRows < 1) throw new IllegalArgumentException("shared step rows must be >= 1");
  }
}
