package io.instgenie.verticles.policy;

import java.util.List;
import java.util.Set;

/**
 * The balancer's view of one denoise worker: per running member {computed tokens per step,
 * remaining steps}, queue length and the tokens per step its queued requests will compute, batch
 * capacity, and the templates its node holds.
 */
public record WorkerView(
    int worker,
    List<int[]> running,
    int queued,
    int queuedTokens,
    int maxBatch,
    Set<String> templates) {
  public int tokensPerStep() {
    int n = 0;
    for (int[] r : running) n += r[0];
    return n;
  }

  /** Running plus queued requests. */
  public int requests() {
    return running.size() + queued;
  }

  public boolean hasRoom() {
    return running.size() + queued < maxBatch;
  }
}
