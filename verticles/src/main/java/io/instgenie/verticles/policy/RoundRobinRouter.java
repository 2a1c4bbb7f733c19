package io.instgenie.verticles.policy;

import java.util.List;

/**
 * Workers in turn, whatever their load: the request-count spreading of a Diffusers-style server.
 */
public final class RoundRobinRouter implements Router {
  private int next;

  @Override
  public int choose(List<WorkerView> workers, RouteRequest request) {
    if (workers.isEmpty()) throw new IllegalStateException("no denoise worker to route to");
    int i = Math.floorMod(next++, workers.size());
    return workers.get(i).worker();
  }
}
