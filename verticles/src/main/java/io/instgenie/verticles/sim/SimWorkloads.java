package io.instgenie.verticles.sim;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.TierKind;
import io.instgenie.verticles.batching.BlockPlanner;
import io.instgenie.verticles.bench.WorkloadTrace;
import io.instgenie.verticles.policy.Priority;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Simulated requests from the load-test workloads, and the capacity that sets a default rate. */
public final class SimWorkloads {
  private SimWorkloads() {}

  /** The requests of a workload trace; arrival times scaled by {@code timeScale}. */
  public static List<SimRequest> of(List<WorkloadTrace.Request> trace, double timeScale) {
    List<SimRequest> out = new ArrayList<>(trace.size());
    for (int i = 0; i < trace.size(); i++) {
      WorkloadTrace.Request q = trace.get(i);
      out.add(
          new SimRequest(
              i,
              q.atMs() * timeScale,
              templateId(q.template(), q.steps()),
              q.maskTokens(),
              q.steps()));
    }
    return out;
  }

  /**
   * A template's cache key in the simulation: its index and step count, as the live key has both.
   */
  public static String templateId(int template, int steps) {
    return "t" + template + "@" + steps;
  }

  /**
   * Edits per second that {@code config}'s workers complete when every batch is full of edits of
   * {@code maskedTokens} read from memory and no template run is needed: an upper bound on the
   * sustainable rate (template runs and imbalance lower it).
   */
  public static double capacityRps(SimConfig config, int maskedTokens, int steps) {
    CostModel costs = BlockPlanner.inPlaceMemory(config.costs());
    CostModel.Entry e =
        new CostModel.Entry(maskedTokens, config.branches(), TierKind.MEMORY, config.precision());
    double stepMs =
        costs.costs(config.model(), Collections.nCopies(config.maxBatch(), e)).plan().latency();
    return config.workers() * config.maxBatch() / (steps * stepMs / 1000);
  }

  /**
   * The requests with a class and a deadline: a seeded {@code interactive} fraction is interactive,
   * the rest batch; each deadline is its arrival plus {@code slack} × its steps at the time of one
   * full batch of its size (none when {@code slack} is infinite).
   */
  public static List<SimRequest> classify(
      List<SimRequest> requests, SimConfig config, double interactive, double slack, long seed) {
    Random rnd = new Random(seed ^ 0x5EEDL);
    CostModel costs = BlockPlanner.inPlaceMemory(config.costs());
    List<SimRequest> out = new ArrayList<>(requests.size());
    for (SimRequest r : requests) {
      Priority p = rnd.nextDouble() < interactive ? Priority.INTERACTIVE : Priority.BATCH;
      CostModel.Entry e =
          new CostModel.Entry(
              Math.min(r.maskedTokens(), config.model().imageTokens()),
              config.branches(),
              TierKind.MEMORY,
              config.precision());
      double stepMs =
          costs.costs(config.model(), Collections.nCopies(config.maxBatch(), e)).plan().latency();
      double deadline =
          Double.isInfinite(slack)
              ? Double.POSITIVE_INFINITY
              : r.atMs() + slack * r.steps() * stepMs;
      out.add(r.with(deadline, p));
    }
    return out;
  }

  /** Mean masked tokens of some requests (rounded). */
  public static int meanMaskedTokens(List<SimRequest> requests) {
    return (int)
        Math.round(requests.stream().mapToInt(SimRequest::maskedTokens).average().orElse(0));
  }
}
