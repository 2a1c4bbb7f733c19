package io.instgenie.verticles.policy;

import java.util.List;

/** Picks the denoise worker that gets a request, from the balancer's view of every worker. */
public interface Router {
  /**
   * @param workers one view per worker, never empty
   * @return the chosen worker's index ({@link WorkerView#worker()})
   */
  int choose(List<WorkerView> workers, RouteRequest request);

  /** The router for a routing policy; {@code COST} uses the step costs given. */
  static Router of(Routing routing, double msPerStepBase, double msPerToken) {
    return of(routing, Scheduling.FCFS, msPerStepBase, msPerToken);
  }

  /**
   * As above, for workers that schedule their steps by {@code scheduling} ({@code COST} estimates
   * with it).
   */
  static Router of(
      Routing routing, Scheduling scheduling, double msPerStepBase, double msPerToken) {
    return switch (routing) {
      case COST -> new CostRouter(msPerStepBase, msPerToken, scheduling);
      case ROUND_ROBIN -> new RoundRobinRouter();
      case FEWEST_REQUESTS -> new FewestRequestsRouter();
      case FEWEST_MASKED_TOKENS -> new FewestMaskedTokensRouter();
    };
  }
}
