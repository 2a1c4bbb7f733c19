package io.instgenie.verticles.policy;

/**
 * One started member of a worker's batch, as routing sees it: the rows it computes per step (all
 * guidance branches) and the steps it has left.
 */
public record MemberLoad(int rowsPerStep, int stepsLeft) {
  /** Its remaining work in computed rows: rows per step × steps left. */
  public long work() {
    return (long) rowsPerStep * stepsLeft;
  }
}
