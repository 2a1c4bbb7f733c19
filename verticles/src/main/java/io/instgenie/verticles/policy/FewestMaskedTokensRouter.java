package io.instgenie.verticles.policy;

import java.util.List;

/**
 * The worker with the fewest computed tokens per step over its running and queued requests (masked
 * tokens × branches); ties to fewer requests, then to the first in the list. Blind to template
 * residency and to remaining steps.
 */
public final class FewestMaskedTokensRouter implements Router {
  @Override
  public int choose(List<WorkerView> workers, RouteRequest request) {
    WorkerView best = null;
    long bestTokens = Long.MAX_VALUE;
    for (WorkerView w : workers) {
      long tokens = (long) w.tokensPerStep() + w.queuedTokens();
      if (tokens < bestTokens || (tokens == bestTokens && w.requests() < best.requests())) {
        best = w;
        bestTokens = tokens;
      }
    }
    if (best == null) throw new IllegalStateException("no denoise worker to route to");
    return best.worker();
  }
}
