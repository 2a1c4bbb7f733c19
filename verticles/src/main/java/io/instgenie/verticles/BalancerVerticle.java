package io.instgenie.verticles;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.WorkerState;
import io.instgenie.verticles.policy.CostRouter;
import io.instgenie.verticles.policy.WorkerView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The balancer: routes each task to a denoise worker by estimated cost, from the workers' step
 * reports.
 */
public final class BalancerVerticle extends VerticleBase {
  private final int workers;
  private final int maxBatch;
  private final int fullTokens;
  private final Map<Integer, WorkerState> states = new TreeMap<>();
  private final Map<Integer, Integer> routedSinceReport = new TreeMap<>();

  public BalancerVerticle(int workers, int maxBatch, int fullTokens) {
    this.workers = workers;
    this.maxBatch = maxBatch;
    this.fullTokens = fullTokens;
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
        views.add(new WorkerView(w, List.of(), extra, maxBatch, Set.of()));
      } else {
        views.add(
            new WorkerView(
                w,
                s.running(),
                s.queued() + extra,
                s.maxBatch(),
                new HashSet<>(s.cachedTemplates())));
        base = Math.max(base, s.msPerStepBase());
        perToken = Math.max(perToken, s.msPerToken());
      }
    }
    CostRouter router = new CostRouter(base > 0 ? base : 1, perToken > 0 ? perToken : 0.05);
    int tokens = t.templateOnly() ? fullTokens : t.edit().maskedTokens().length * t.branches();
    int w = router.choose(views, t.edit().templateId(), tokens, t.edit().steps(), fullTokens);
    routedSinceReport.merge(w, 1, Integer::sum);
    vertx.eventBus().send(Addresses.worker(w), t);
  }
}
