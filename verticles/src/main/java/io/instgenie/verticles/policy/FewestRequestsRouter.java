package io.instgenie.verticles.policy;

import java.util.List;

/** The worker with the fewest running plus queued requests; ties to the first in the list. */
public final class FewestRequestsRouter implements Router {
  @Override
  public int choose(List<WorkerView> workers, RouteRequest request) {
    WorkerView best = null;
    for (WorkerView w : workers) {
      if (best == null || w.requests() < best.requests()) best = w;
    }
    if (best == null) throw new IllegalStateException("no denoise worker to route to");
    return best.worker();
  }
}
