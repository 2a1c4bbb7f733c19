package io.instgenie.verticles.policy;

/**
 * What one step may run: at most {@code maxMembers} members and {@code maxRows} computed rows. The
 * first member a step takes is always taken, so a member larger than the row budget still runs.
 */
public record StepBudget(int maxMembers, long maxRows) {
  /** No row limit: only {@code maxMembers}. */
  public static StepBudget members(int maxMembers) {
    return new StepBudget(maxMembers, Long.MAX_VALUE);
  }

  public StepBudget {
    if (maxMembers < 1) throw new IllegalArgumentException("max members must be >= 1");
    if (maxRows < 1) throw new IllegalArgumentException("max step rows must be >= 1");
  }

  /**
   * True when a member of {@code rows} fits beside {@code members} members of {@code used} rows.
   */
  public boolean fits(int members, long used, int rows) {
    if (members >= maxMembers) return false;
    return members == 0 || used + rows <= maxRows;
  }

  /** True when no further member can fit. */
  public boolean full(int members, long used) {
    return members >= maxMembers || used >= maxRows;
  }
}
