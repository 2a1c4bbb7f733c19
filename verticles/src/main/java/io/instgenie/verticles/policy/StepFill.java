package io.instgenie.verticles.policy;

/**
 * One step being filled in rank order under a {@link StepBudget}: the members and rows taken so
 * far, and whether the step carries interactive-level work (from then on, lower-class members fit
 * only within the budget's shared rows). The one place both the step loop and every projection of
 * it decide what fits.
 */
public final class StepFill {
  private final StepPolicy policy;
  private final StepBudget budget;
  private int members;
  private long rows;
  private boolean urgent;

  public StepFill(StepPolicy policy, StepBudget budget) {
    this.policy = policy;
    this.budget = budget;
  }

  /** True when no further member can fit. */
  public boolean full() {
    return members >= budget.maxMembers() || rows >= budget.maxRows();
  }

  /**
   * True when candidate {@code c}, computing {@code rows} rows a step, fits beside what is taken
   * (the first member always fits).
   */
  public boolean fits(StepCandidate<?> c, int rows) {
    if (members >= budget.maxMembers()) return false;
    boolean shared = urgent && !policy.interactive(c);
    long cap = shared ? Math.min(budget.maxRows(), budget.sharedRows()) : budget.maxRows();
    return members == 0 || this.rows + rows <= cap;
  }

  /** Takes candidate {@code c} with its {@code rows} rows a step. */
  public void take(StepCandidate<?> c, int rows) {
    members++;
    this.rows += rows;
    urgent |= policy.interactive(c);
  }
}
