package io.instgenie.verticles;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.WorkerState;
import io.instgenie.verticles.policy.RouteRequest;
import io.instgenie.verticles.policy.Router;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.WorkerView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The balancer: routes each task to a denoise worker by the configured {@link Routing} policy, from
 * the workers' step reports and what it routed since.
 */
public final class BalancerVerticle extends VerticleBase {
  /** Tokens of the most recent tasks routed to a worker kept to estimate its queue's tokens. */
  private static final int RECENT_KEPT = 4096;

  private final int workers;
  private final int maxBatch;
  private final int fullTokens;
  private final Routing routing;
  private final boolean activationCache;

  /** Round-robin keeps its turn across requests; the other policies are stateless. */
  private final Router fixedRouter;

  private final Map<Integer, WorkerState> states = new TreeMap<>();
  private final Map<Integer, Integer> routedSinceReport = new TreeMap<>();
  private final Map<Integer, Deque<Integer>> recentTokens = new TreeMap<>();

  /**
   * @param fullTokens image tokens of the model (a template run computes them all)
   * @param activationCache false: every edit computes every token and no template run happens
   */
  public BalancerVerticle(
      int workers, int maxBatch, int fullTokens, Routing routing, boolean activationCache) {
    this.workers = workers;
    this.maxBatch = maxBatch;
    this.fullTokens = fullTokens;
    this.routing = routing;
    this.activationCache = activationCache;
    this.fixedRouter = routing == Routing.COST ? null : Router.of(routing, 0, 0);
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    return Future.all(
        bus.<DenoiseTask>consumer(Addresses.ROUTE, this::route).completion(),
        bus.<WorkerState>consumer(
                Addresses.WORKER_STATE,
                m -> {
                  states.put(m.body().worker(), m.body());
                  routedSinceReport.put(m.body().worker(), 0);
                })
            .completion());
  }

  private void route(Message<DenoiseTask> msg) {
    DenoiseTask t = msg.body();
    List<WorkerView> views = new ArrayList<>();
    double base = 0;
    double perToken = 0;
    for (int w = 0; w < workers; w++) {
      WorkerState s = states.get(w);
      int extra = routedSinceReport.getOrDefault(w, 0);
      if (s == null) {
        views.add(new WorkerView(w, List.of(), extra, queuedTokens(w, extra), maxBatch, Set.of()));
      } else {
        int queued = s.queued() + extra;
        views.add(
            new WorkerView(
                w,
                s.running(),
                queued,
                queuedTokens(w, queued),
                s.maxBatch(),
                new HashSet<>(s.cachedTemplates())));
        base = Math.max(base, s.msPerStepBase());
        perToken = Math.max(perToken, s.msPerToken());
      }
    }
    Router router =
        fixedRouter != null
            ? fixedRouter
            : Router.of(routing, base > 0 ? base : 1, perToken > 0 ? perToken : 0.05);
    int tokens = taskTokens(t);
    RouteRequest request =
        new RouteRequest(
            t.edit().templateId(), tokens, t.edit().steps(), activationCache ? fullTokens : 0);
    int w = router.choose(views, request);
    routedSinceReport.merge(w, 1, Integer::sum);
    Deque<Integer> recent = recentTokens.computeIfAbsent(w, k -> new ArrayDeque<>());
    recent.addFirst(tokens);
    if (recent.size() > RECENT_KEPT) recent.removeLast();
    vertx.eventBus().send(Addresses.worker(w), t);
  }

  /** Tokens per step the task computes once it runs. */
  private int taskTokens(DenoiseTask t) {
    if (t.templateOnly()) return fullTokens;
    int perBranch = activationCache ? t.edit().maskedTokens().length : fullTokens;
    return perBranch * t.branches();
  }

  /**
   * A worker's queue is first-in first-out and fed only by this balancer, so its {@code queued}
   * tasks are the last ones routed to it: their tokens, summed.
   */
  private int queuedTokens(int worker, int queued) {
    Deque<Integer> recent = recentTokens.get(worker);
    if (recent == null) return 0;
    int sum = 0;
    Iterator<Integer> it = recent.iterator();
    for (int i = 0; i < queued && it.hasNext(); i++) sum += it.next();
    return sum;
  }
}
