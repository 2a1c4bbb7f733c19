package io.instgenie.verticles.sim;

/** One simulated edit: when it arrives (ms), its template, its masked tokens and its step count. */
public record SimRequest(int id, double atMs, String templateId, int maskedTokens, int steps) {
  public SimRequest {
    if (!(atMs >= 0) || maskedTokens < 0 || steps < 1 || templateId == null)
      throw new IllegalArgumentException(
          "request " + id + ": arrival >= 0, masked tokens >= 0, steps >= 1 and a template needed");
  }
}
