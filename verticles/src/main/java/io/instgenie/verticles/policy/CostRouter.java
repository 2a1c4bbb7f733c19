package io.instgenie.verticles.policy;

import io.instgenie.cache.TierKind;
import java.util.List;

/**
 * Routes a request to the worker with the lowest estimated cost (DESIGN.md "Algorithm 2", with a
 * linear step-cost model): the step latency of the worker's running batch plus the request, plus
 * getting the template's activations at that worker: free from its memory, the load of every
 * segment from its disk or from another node (by the worker's fitted load time per segment), or the
 * template run when that is cheaper or nothing holds them. Workers without room are ranked by when
 * the request would complete behind their queue. Ties go to the shorter queue. For workers that
 * schedule {@code srpt}, the estimate counts only the work ranked ahead of the request ({@link
 * #srptEstimate}); {@code fcfs} and {@code edf} (deadlines are not in the view) as above.
 */
public final class CostRouter implements Router {
  private final double msPerStepBase;
  private final double msPerToken;
  private final Scheduling scheduling;

  /** Step latency ≈ base + perToken × (computed tokens in the batch); workers schedule fcfs. */
  public CostRouter(double msPerStepBase, double msPerToken) {
    this(msPerStepBase, msPerToken, Scheduling.FCFS);
  }

  /** As above, for workers that schedule their steps by {@code scheduling}. */
  public CostRouter(double msPerStepBase, double msPerToken, Scheduling scheduling) {
    this.msPerStepBase = msPerStepBase;
    this.msPerToken = msPerToken;
    this.scheduling = scheduling;
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
    if (scheduling == Scheduling.SRPT) return srptEstimate(w, r);
    double step = msPerStepBase + msPerToken * (w.tokensPerStep() + r.tokens());
    double cost = step * r.steps() + activationsMs(w, r);
    if (!w.hasRoom()) {
      // waits behind the queue: roughly the queued requests' steps at the current step latency
      cost += (w.queued() + 1) * step * r.steps() / Math.max(1, w.maxBatch());
    }
    return cost;
  }

  /**
   * Under {@code srpt} a request waits only for the work ranked ahead of it: the running members
   * with less remaining work (rows × remaining steps) than its own, and the queued ones when their
   * mean rows are fewer than its own (their steps are not reported: taken as its own); that work
   * and its own at {@code msPerToken} a row, plus its own steps at {@code msPerStepBase}.
   */
  double srptEstimate(WorkerView w, RouteRequest r) {
    long own = (long) r.tokens() * r.steps();
    double ahead = 0;
    for (MemberLoad m : w.running()) {
      long work = m.work();
      if (work < own) ahead += work;
    }
    if (w.queued() > 0 && w.queuedTokens() < (long) w.queued() * r.tokens())
      ahead += (double) w.queuedTokens() * r.steps();
    return msPerToken * (ahead + own) + msPerStepBase * r.steps() + activationsMs(w, r);
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
