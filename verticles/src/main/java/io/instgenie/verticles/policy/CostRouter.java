package io.instgenie.verticles.policy;

import java.util.List;

/**
 * Routes a request to the worker with the lowest estimated cost (DESIGN.md "Algorithm 2", with a
 * linear step-cost model): the step latency of the worker's running batch plus the request, where a
 * worker whose node lacks the template first pays the template run. Workers without room are ranked
 * by when the request would complete behind their queue. Ties go to the shorter queue.
 */
public final class CostRouter {
  private final double msPerStepBase;
  private final double msPerToken;

  /** Step latency ≈ base + perToken × (computed tokens in the batch). */
  public CostRouter(double msPerStepBase, double msPerToken) {
    this.msPerStepBase = msPerStepBase;
    this.msPerToken = msPerToken;
  }

  /**
   * @param tokens masked tokens × branches of the request; fullTokens the template run's tokens
   */
  public int choose(
      List<WorkerView> workers, String templateId, int tokens, int steps, int fullTokens) {
    int best = -1;
    double bestCost = Double.MAX_VALUE;
    int bestQueue = Integer.MAX_VALUE;
    for (WorkerView w : workers) {
      double cost = estimate(w, templateId, tokens, steps, fullTokens);
      if (cost < bestCost || (cost == bestCost && w.queued() < bestQueue)) {
        best = w.worker();
        bestCost = cost;
        bestQueue = w.queued();
      }
    }
    if (best < 0) throw new IllegalStateException("no denoise worker to route to");
    return best;
  }

  double estimate(WorkerView w, String templateId, int tokens, int steps, int fullTokens) {
    double step = msPerStepBase + msPerToken * (w.tokensPerStep() + tokens);
    double cost = step * steps;
    if (!w.templates().contains(templateId))
      cost += (msPerStepBase + msPerToken * (w.tokensPerStep() + fullTokens)) * steps;
    if (!w.hasRoom()) {
      // waits behind the queue: roughly the queued requests' steps at the current step latency
      cost += (w.queued() + 1) * step * steps / Math.max(1, w.maxBatch());
    }
    return cost;
  }
}
