package io.instgenie.verticles.policy;

import java.util.List;

/**
 * Routes a request to the worker with the lowest estimated cost (DESIGN.md "Algorithm 2", with a
 * linear step-cost model): the step latency of the worker's running batch plus the request, where a
 * worker whose node lacks the template first pays the template run. Workers without room are ranked
 * by when the request would complete behind their queue. Ties go to the shorter queue.
 */
public final class CostRouter implements Router {
  private final double msPerStepBase;
  private final double msPerToken;

  /** Step latency ≈ base + perToken × (computed tokens in the batch). */
  public CostRouter(double msPerStepBase, double msPerToken) {
    this.msPerStepBase = msPerStepBase;
    this.msPerToken = msPerToken;
  }

  @Override
  public int choose(List<WorkerView> workers, RouteRequest request) {
    int best = -1;
    double bestCost = Double.MAX_VALUE;
    int bestQueue = Integer.MAX_VALUE;
    for (WorkerView w : workers) {
      double cost = estimate(w, request);
      if (cost < bestCost || (cost == bestCost && w.queued() < bestQueue)) {
        best = w.worker();
        bestCost = cost;
        bestQueue = w.queued();
      }
    }
    if (best < 0) throw new IllegalStateException("no denoise worker to route to");
    return best;
  }

  /** Estimated ms until the request completes on worker {@code w}. */
  double estimate(WorkerView w, RouteRequest r) {
    double step = msPerStepBase + msPerToken * (w.tokensPerStep() + r.tokens());
    double cost = step * r.steps();
    if (r.templateRunTokens() > 0 && !w.templates().contains(r.templateId()))
      cost +=
          (msPerStepBase + msPerToken * (w.tokensPerStep() + r.templateRunTokens())) * r.steps();
    if (!w.hasRoom()) {
      // waits behind the queue: roughly the queued requests' steps at the current step latency
      cost += (w.queued() + 1) * step * r.steps() / Math.max(1, w.maxBatch());
    }
    return cost;
  }
}
