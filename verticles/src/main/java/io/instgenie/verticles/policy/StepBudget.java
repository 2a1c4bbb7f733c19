package io.instgenie.verticles.policy;

/**
 * What one step may run: at most {@code maxMembers} members and {@code maxRows} computed rows, and
 * in a step that carries interactive-level work, lower-class members only while the step stays
 * within {@code sharedRows} rows (so batch work cannot stretch an interactive edit's steps past the
 * end of the flat part of the step time). The first member a step takes is always taken, so a
 * member larger than the row budget still runs.
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

  /**
   * True when a member of {@code rows} fits beside {@code members} members of {@code used} rows.
   */
  public boolean fits(int members, long used, int rows) {
    return fits(members, used, rows, false);
  }

  /**
   * {@link #fits(int, long, int)}; {@code shared}: the member is of a lower class than work the
   * step already carries at the interactive level, so {@code sharedRows} bounds it too.
   */
  public boolean fits(int members, long used, int rows, boolean shared) {
    if (members >= maxMembers) return false;
    long cap = shared ? Math.min(maxRows, sharedRows) : maxRows;
    return members == 0 || used + rows <= cap;
  }

  /** True when no further member can fit. */
  public boolean full(int members, long used) {
    return members >= maxMembers || used >= maxRows;
  }
}
