package io.instgenie.verticles.sim;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.verticles.batching.BlockPlanner;
import io.instgenie.verticles.batching.StepRows;
import io.instgenie.verticles.policy.RouteRequest;
import io.instgenie.verticles.policy.Router;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.policy.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A discrete-event simulation of a cluster of denoise workers under one routing policy. It runs the
 * live policy code on a simulated clock: the routers of {@code policy}, the batch rules of {@link
 * io.instgenie.verticles.batching.StepBatch}, Algorithm 1 for every step's latency (through {@link
 * BlockPlanner#inPlaceMemory} and {@link CostModel}), and LRU tiers ({@link
 * io.instgenie.kernels.util.LruBytes}). Deterministic: the same requests give the same numbers.
 */
public final class Simulator {
  /** Told of every routing decision, with what the router saw. */
  public interface RouteTrace {
    RouteTrace NONE = (r, views, request, base, perToken, worker) -> {};

    void routed(
        SimRequest r,
        List<WorkerView> views,
        RouteRequest request,
        double msPerStepBase,
        double msPerToken,
        int worker);
  }

  private enum Kind {
    STEP_END,
    PROMOTED
  }

  private record Event(
      double at, long seq, Kind kind, int worker, double stepMs, String template, int steps) {}

  private final SimConfig config;
  private final CostModel planCosts;
  private final StepPolicy policy;
  private final long maxStepRows;
  private final long sharedRows;

  /** First come, first served, as the service's default scheduling. */
  public Simulator(SimConfig config) {
    this(config, StepPolicy.FCFS, 0);
  }

  /**
   * Workers that choose each step's members by {@code policy} within {@code maxStepTokens} rows (0:
   * the live auto rule, {@link StepRows#auto}, on the configured costs).
   */
  public Simulator(SimConfig config, StepPolicy policy, int maxStepTokens) {
    this.config = config;
    this.planCosts = BlockPlanner.inPlaceMemory(config.costs());
    this.policy = policy;
    this.maxStepRows =
        StepRows.of(maxStepTokens, policy.scheduling(), config.costs(), config.model());
    this.sharedRows =
        StepRows.shared(maxStepTokens, policy.scheduling(), config.costs(), config.model());
  }

  public StepPolicy policy() {
    return policy;
  }

  /** The row budget of a step the workers use. */
  public long maxStepRows() {
    return maxStepRows;
  }

  public SimConfig config() {
    return config;
  }

  public SimResult run(List<SimRequest> requests, Routing routing) {
    return run(requests, routing, true, RouteTrace.NONE);
  }

  /**
   * With continuous (step-level) or static batching: a static batch takes new members only when it
   * is empty, as request-level batching does. A static run's result is labelled {@code
   * POLICY/static}.
   */
  public SimResult run(List<SimRequest> requests, Routing routing, boolean continuous) {
    return run(requests, routing, continuous, RouteTrace.NONE);
  }

  public SimResult run(List<SimRequest> requests, Routing routing, RouteTrace trace) {
    return run(requests, routing, true, trace);
  }

  /** Runs every request (sorted by arrival) to completion under {@code routing}. */
  public SimResult run(
      List<SimRequest> requests, Routing routing, boolean continuous, RouteTrace trace) {
    List<SimRequest> arrivals = new ArrayList<>(requests);
    arrivals.sort((a, b) -> Double.compare(a.atMs(), b.atMs()));
    SimCounters counters = new SimCounters();
    List<SimWorker> workers = new ArrayList<>();
    for (int w = 0; w < config.workers(); w++)
      workers.add(
          new SimWorker(
              w, config, planCosts, counters, continuous, policy, maxStepRows, sharedRows));
    PriorityQueue<Event> events =
        new PriorityQueue<>(
            (a, b) ->
                a.at() != b.at() ? Double.compare(a.at(), b.at()) : Long.compare(a.seq(), b.seq()));
    long[] seq = {0};
    // round-robin keeps its turn across requests; the cost router is rebuilt per request from the
    // workers' latest estimates, as the live balancer does
    Router fixed = routing == Routing.COST ? null : Router.of(routing, 0, 0);
    int next = 0;
    while (next < arrivals.size() || !events.isEmpty()) {
      boolean arrival =
          events.isEmpty()
              || (next < arrivals.size() && arrivals.get(next).atMs() < events.peek().at());
      if (arrival) {
        SimRequest r = arrivals.get(next++);
        double now = r.atMs();
        SimWorker w = workers.get(route(workers, r, fixed, routing, trace));
        int all = config.model().imageTokens();
        int tokens = Math.min(r.maskedTokens(), all) * config.branches();
        int full =
            r.maskedTokens() >= all
                ? 0
                : EditJob.fullStepsFor(
                    config.fullSteps(), r.steps(), config.model().defaultSteps());
        String promote =
            w.enqueue(
                new SimWorker.Member(
                    r, r.templateId(), r.steps(), tokens, all * config.branches(), full));
        if (promote != null) {
          counters.promotions++;
          double ms =
              config.costs().loadTime(TierKind.DISK, (double) config.templateBytes(r.steps()));
          events.add(new Event(now + ms, seq[0]++, Kind.PROMOTED, w.index, 0, promote, r.steps()));
        }
        startStep(w, now, events, seq);
        continue;
      }
      Event e = events.poll();
      SimWorker w = workers.get(e.worker());
      if (e.kind() == Kind.PROMOTED) {
        w.promoted(e.template(), e.steps());
        continue;
      }
      w.stepping = false;
      w.stepDone(e.at(), e.stepMs());
      startStep(w, e.at(), events, seq);
    }
    return SimResult.of(label(routing, continuous, policy.scheduling()), counters);
  }

  /** A result's name: the policy's, with {@code /static} for static batching. */
  public static String label(Routing routing, boolean continuous) {
    return routing.configName() + (continuous ? "" : "/static");
  }

  /**
   * A result's name: as above, with {@code +SCHEDULING} for a continuous run scheduled other than
   * {@code fcfs} (static batches are formed first come, first served).
   */
  public static String label(Routing routing, boolean continuous, Scheduling scheduling) {
    String suffix =
        continuous && scheduling != Scheduling.FCFS ? "+" + scheduling.configName() : "";
    return label(routing, continuous) + suffix;
  }

  /** The next step of an idle worker, if anything can run. */
  private static void startStep(SimWorker w, double now, PriorityQueue<Event> events, long[] seq) {
    if (w.stepping || !w.admit(now)) return;
    double ms = w.stepMs();
    w.stepping = true;
    events.add(new Event(now + ms, seq[0]++, Kind.STEP_END, w.index, ms, null, 0));
  }

  private int route(
      List<SimWorker> workers, SimRequest r, Router fixed, Routing routing, RouteTrace trace) {
    List<WorkerView> views = new ArrayList<>(workers.size());
    double perToken = 0;
    for (SimWorker w : workers) {
      views.add(w.view());
      perToken = Math.max(perToken, w.msPerToken);
    }
    // the live workers report no step base, and the balancer falls back as below
    double base = 1;
    double token = perToken > 0 ? perToken : 0.05;
    Router router = fixed != null ? fixed : Router.of(routing, policy.scheduling(), base, token);
    int tokens = Math.min(r.maskedTokens(), config.model().imageTokens()) * config.branches();
    RouteRequest request =
        new RouteRequest(
            r.templateId(),
            tokens,
            r.steps(),
            config.model().imageTokens(),
            r.steps() * config.model().depth());
    int w = router.choose(views, request);
    trace.routed(r, views, request, base, token, w);
    return w;
  }
}
