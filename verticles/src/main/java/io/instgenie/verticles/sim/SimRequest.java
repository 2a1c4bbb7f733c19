package io.instgenie.verticles.sim;

import io.instgenie.verticles.policy.Priority;

/**
 * One simulated edit: when it arrives (ms), its template, its masked tokens, its step count, its
 * deadline (simulated ms; {@link Double#POSITIVE_INFINITY}: none) and its priority class.
 */
public record SimRequest(
    int id,
    double atMs,
    String templateId,
    int maskedTokens,
    int steps,
    double deadlineMs,
    Priority priority) {
  public SimRequest {
    if (!(atMs >= 0) || maskedTokens < 0 || steps < 1 || templateId == null)
      throw new IllegalArgumentException(
          "request " + id + ": arrival >= 0, masked tokens >= 0, steps >= 1 and a template needed");
    if (priority == null) priority = Priority.INTERACTIVE;
  }

  /** An interactive request without a deadline. */
  public SimRequest(int id, double atMs, String templateId, int maskedTokens, int steps) {
    this(id, atMs, templateId, maskedTokens, steps, Double.POSITIVE_INFINITY, Priority.INTERACTIVE);
  }

  /** The same request with a deadline and a class. */
  public SimRequest with(double deadlineMs, Priority priority) {
    return new SimRequest(id, atMs, templateId, maskedTokens, steps, deadlineMs, priority);
  }

  /** The deadline as the step policy reads it (whole ms; {@link Long#MAX_VALUE}: none). */
  long deadlineKey() {
    return Double.isInfinite(deadlineMs) ? Long.MAX_VALUE : Math.round(deadlineMs);
  }
}
