package io.instgenie.verticles.policy;

import io.instgenie.cache.TierKind;
import java.util.List;

/**
 * Routes a request to the worker with the lowest estimated cost (DESIGN.md "Algorithm 2", with a
 * linear step-cost model): the step latency of the worker's running batch plus the request, plus
 * getting the template's activations at that worker: free from its memory, the load of every
 * segment from its disk or from another node (by the worker's fitted load time per segment), or the
 * template run when that is cheaper or nothing holds them. Workers without room are ranked by when
 * the request would complete behind their queue. Ties go to the shorter queue.
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
    double cost = step * r.steps() + activationsMs(w, r);
    if (!w.hasRoom()) {
      // waits behind the queue: roughly the queued requests' steps at the current step latency
      cost += (w.queued() + 1) * step * r.steps() / Math.max(1, w.maxBatch());
    }
    return cost;
  }

  /**
   * Estimated ms to have the request's template activations at worker {@code w}: the load of its
   * segments from the tier that holds them (memory: free), or the template run when no tier holds
   * them, the tier's load cannot be priced, or the run is cheaper (as the remote tier itself
   * decides). Loads are charged in full, as if none overlapped compute.
   */
  double activationsMs(WorkerView w, RouteRequest r) {
    if (r.templateRunTokens() == 0) return 0; // cache off: no template run, nothing to load
    double run =
        (msPerStepBase + msPerToken * (w.tokensPerStep() + r.templateRunTokens())) * r.steps();
    TierKind tier = w.templates().get(r.templateId());
    if (tier == null) return run;
    if (tier == TierKind.MEMORY) return 0;
    Double perSegment = w.msPerSegment().get(tier);
    if (perSegment == null) return run;
    return Math.min(run, r.templateSegments() * perSegment);
  }
}
