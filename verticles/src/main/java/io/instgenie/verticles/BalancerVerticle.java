package io.instgenie.verticles;

import io.instgenie.cache.TierKind;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.Handoff;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.WorkerState;
import io.instgenie.verticles.observe.EditLog;
import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.RouteRequest;
import io.instgenie.verticles.policy.Router;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepWork;
import io.instgenie.verticles.policy.WorkerView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The balancer: routes each task to a denoise worker by the configured {@link Routing} policy, from
 * the workers' step reports and what it routed since. Clustered, every node's balancer sees every
 * node's workers (their reports are published cluster-wide) and routes across all of them.
 */
public final class BalancerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BalancerVerticle.class);

  /** Tokens of the most recent tasks routed to a worker kept to estimate its queue's tokens. */
  private static final int RECENT_KEPT = 4096;

  /**
   * The fixed cost of a step the cost router adds per step of a request: workers measure only a
   * cost per computed token, so a nominal 1 ms that prefers fewer steps when all else is equal.
   */
  private static final double NOMINAL_MS_PER_STEP = 1;

  private final int workers;
  private final int maxBatch;
  private final int fullTokens;
  private final int depth;
  private final Routing routing;
  private final boolean activationCache;
  private final int fullSteps;
  private final int defaultSteps;

  /** Round-robin keeps its turn across requests; the other policies are stateless. */
  private final Router fixedRouter;

  /** The node id of a node alone: its workers are the only ones, and all are local. */
  public static final String ALONE = "local";

  /** This node's id: the cluster's, or {@link #ALONE}. */
  private final String self;

  /** Reports by worker key ("node/index"), from this node's workers and, clustered, all others. */
  private final Map<String, WorkerState> states = new TreeMap<>();

  private final Map<String, Integer> routedSinceReport = new TreeMap<>();

  /** This node's workers that failed to start: never chosen. */
  private final Set<Integer> failedWorkers = new HashSet<>();

  /** Nodes that are draining (this one included): their workers are chosen only if none else is. */
  private final Set<String> draining = new HashSet<>();

  private final Faults faults;
  private final Scheduling scheduling;
  private final Map<String, Deque<Integer>> recentTokens = new TreeMap<>();

  /**
   * @param fullTokens image tokens of the model (a template run computes them all)
   * @param depth blocks of the model (an edit reads steps × depth cached segments)
   * @param scheduling how the workers choose each step's members (the cost estimate follows it)
   * @param activationCache false: every edit computes every token and no template run happens
   * @param fullSteps the quality knob (resolved, at the model's default step count) and {@code
   *     defaultSteps} that count: an edit's first steps compute every token (EditJob.fullStepsFor)
   * @param self this node's id when clustered (workers of every node are routed to), else {@link
   *     #ALONE}
   */
  public BalancerVerticle(
      int workers,
      int maxBatch,
      int fullTokens,
      int depth,
      Routing routing,
      Scheduling scheduling,
      boolean activationCache,
      int fullSteps,
      int defaultSteps,
      String self,
      Faults faults) {
    this.fullSteps = fullSteps;
    this.defaultSteps = defaultSteps;
    this.scheduling = scheduling;
    this.faults = faults;
    this.workers = workers;
    this.maxBatch = maxBatch;
    this.fullTokens = fullTokens;
    this.depth = depth;
    this.routing = routing;
    this.activationCache = activationCache;
    this.fixedRouter = routing == Routing.COST ? null : Router.of(routing, 0, 0);
    this.self = Objects.requireNonNull(self, "node id");
  }

  public BalancerVerticle(
      int workers,
      int maxBatch,
      int fullTokens,
      int depth,
      Routing routing,
      boolean activationCache) {
    this(
        workers,
        maxBatch,
        fullTokens,
        depth,
        routing,
        Scheduling.FCFS,
        activationCache,
        0,
        1,
        ALONE,
        Faults.NONE);
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    return Future.all(
        bus.<DenoiseTask>localConsumer(Addresses.ROUTE, this::route).completion(),
        bus.<DenoiseTask>localConsumer(Addresses.ESTIMATE, this::estimate).completion(),
        bus.<WorkerState>consumer(
                Addresses.WORKER_STATE,
                m -> {
                  String node = m.headers().get("node");
                  String key = key(node == null ? self : node, m.body().worker());
                  states.put(key, m.body());
                  routedSinceReport.put(key, 0);
                })
            .completion(),
        bus.<String>localConsumer(Addresses.NODE_LEFT, m -> forget(m.body())).completion(),
        bus.<String>consumer(Addresses.NODE_DRAINING, m -> draining.add(m.body())).completion(),
        bus.<Integer>localConsumer(Addresses.WORKER_FAILED, m -> failedWorkers.add(m.body()))
            .completion());
  }

  /** A departed node's workers leave the view. */
  private void forget(String node) {
    draining.remove(node);
    String prefix = node + "/";
    states.keySet().removeIf(k -> k.startsWith(prefix));
    routedSinceReport.keySet().removeIf(k -> k.startsWith(prefix));
    recentTokens.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** This node's workers, then every other node's that has reported. */
  private List<String> workerKeys() {
    List<String> keys = new ArrayList<>();
    for (int w = 0; w < workers; w++) if (!failedWorkers.contains(w)) keys.add(key(self, w));
    for (String k : states.keySet()) if (!k.startsWith(self + "/")) keys.add(k);
    return keys;
  }

  private static String key(String node, int worker) {
    return node + "/" + worker;
  }

  private static String nodeOf(String key) {
    return key.substring(0, key.lastIndexOf('/'));
  }

  /** The nodes with a worker that reported holding the template (in memory or on disk). */
  private Set<String> nodesHolding(String templateId) {
    Set<String> nodes = new HashSet<>();
    for (Map.Entry<String, WorkerState> e : states.entrySet())
      if (e.getValue().cachedTemplates().containsKey(templateId)) nodes.add(nodeOf(e.getKey()));
    return nodes;
  }

  /**
   * A worker's tiers for routing: its own cache's, plus {@link TierKind#REMOTE} for the template
   * when it lacks it and another node holds it (the remote tier streams from other nodes only, not
   * from a sibling worker's cache).
   */
  static Map<String, TierKind> tiers(
      Map<String, TierKind> own, String templateId, String node, Set<String> holders) {
    if (own.containsKey(templateId)) return own;
    for (String h : holders) {
      if (!h.equals(node)) {
        Map<String, TierKind> out = new HashMap<>(own);
        out.put(templateId, TierKind.REMOTE);
        return out;
      }
    }
    return own;
  }

  /**
   * The workers a task may go to: not those of a draining node, nor of the node named by the
   * message's {@link Addresses#ROUTE_AVOID} header (where it was handed back from or stalled),
   * while others exist.
   */
  private List<String> candidates(String avoid) {
    List<String> all = workerKeys();
    List<String> keys = new ArrayList<>();
    for (String k : all) {
      String node = nodeOf(k);
      if (!draining.contains(node) && !node.equals(avoid)) keys.add(k);
    }
    return keys.isEmpty() ? all : keys;
  }

  /**
   * Routes a task; when that cannot be done (no worker runs, or routing throws) the task's job ends
   * {@code failed} instead of staying queued with nobody holding it.
   */
  private void route(Message<DenoiseTask> msg) {
    DenoiseTask t = msg.body();
    try {
      faults.check(Faults.Point.ROUTE);
      List<String> keys = candidates(msg.headers().get(Addresses.ROUTE_AVOID));
      if (keys.isEmpty()) {
        fail(t, "no denoise worker is running on this node");
        return;
      }
      routeTo(t, keys);
    } catch (RuntimeException | Error e) {
      EditLog.log(LOG, Level.ERROR, t.id(), t.origin(), "routing failed", e);
      fail(t, "internal error while routing: " + e);
    }
  }

  private void fail(DenoiseTask t, String error) {
    vertx
        .eventBus()
        .send(
            Addresses.JOB_EVENT,
            JobEvent.of(t.id(), new JobEvent.Failed(error)),
            new DeliveryOptions().setLocalOnly(true));
  }

  /**
   * Admission by estimate: the task's least ETA over the workers, each from the worker's last
   * report played forward with its policy ({@link Forecast#etaMs}, the projection of its {@code
   * queued} events), plus the template run when the worker holds no tier of the template; NaN when
   * some worker cannot be estimated (it has not reported a measured step yet). A task is rejected
   * only when no worker could meet its deadline. Tasks routed since a worker's last report are not
   * in it.
   */
  private void estimate(Message<DenoiseTask> msg) {
    DenoiseTask t = msg.body();
    // the reports as they are now (immutable), replayed off the event loop: a projection plays
    // every worker's whole queue forward step by step
    List<WorkerState> reports = new ArrayList<>();
    for (String k : workerKeys()) reports.add(states.get(k));
    vertx
        .executeBlocking(() -> leastEta(reports, t), false)
        .onComplete(
            ar -> {
              if (ar.failed())
                EditLog.log(LOG, Level.WARN, t.id(), t.origin(), "estimating failed", ar.cause());
              msg.reply(ar.succeeded() ? ar.result() : Double.NaN);
            });
  }

  /**
   * The least ETA over the workers' reports; NaN when one has none yet (it cannot be ruled out).
   */
  private double leastEta(List<WorkerState> reports, DenoiseTask t) {
    double least = Double.POSITIVE_INFINITY;
    for (WorkerState s : reports)
      least = Math.min(least, s == null ? Double.NaN : etaOn(s, t)); // NaN wins: no estimate
    return least < Double.POSITIVE_INFINITY ? least : Double.NaN;
  }

  private double etaOn(WorkerState s, DenoiseTask t) {
    Forecast f = s.forecast();
    double eta = f.etaMs(taskWork(t));
    boolean held = s.cachedTemplates().containsKey(t.edit().templateId());
    if (activationCache && !t.templateOnly() && !held)
      eta += f.msPerRow() * fullTokens * t.edit().steps(); // its template run, alone
    return eta;
  }

  private void routeTo(DenoiseTask t, List<String> keys) {
    String templateId = t.edit().templateId();
    Set<String> holders = nodesHolding(templateId);
    List<WorkerView> views = new ArrayList<>();
    double perToken = 0;
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      WorkerState s = states.get(k);
      int extra = routedSinceReport.getOrDefault(k, 0);
      if (s == null) {
        views.add(
            new WorkerView(
                i, List.of(), extra, queuedTokens(k, extra), maxBatch, Map.of(), Map.of()));
      } else {
        int queued = s.queued() + extra;
        views.add(
            new WorkerView(
                i,
                s.running(),
                queued,
                queuedTokens(k, queued),
                s.maxBatch(),
                tiers(s.cachedTemplates(), templateId, nodeOf(k), holders),
                s.msPerSegment()));
        perToken = Math.max(perToken, s.msPerToken());
      }
    }
    Router router =
        fixedRouter != null
            ? fixedRouter
            : Router.of(routing, scheduling, NOMINAL_MS_PER_STEP, perToken > 0 ? perToken : 0.05);
    int tokens = taskTokens(t);
    RouteRequest request =
        new RouteRequest(
            templateId,
            tokens,
            t.edit().steps(),
            activationCache ? fullTokens : 0,
            activationCache ? t.edit().steps() * depth : 0);
    String k = keys.get(router.choose(views, request));
    routedSinceReport.merge(k, 1, Integer::sum);
    Deque<Integer> recent = recentTokens.computeIfAbsent(k, x -> new ArrayDeque<>());
    recent.addFirst(tokens);
    if (recent.size() > RECENT_KEPT) recent.removeLast();
    String node = nodeOf(k);
    int worker = Integer.parseInt(k.substring(k.lastIndexOf('/') + 1));
    EventBus bus = vertx.eventBus();
    // node-local, and in this order: the job table learns the placement before any event
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
    bus.send(Addresses.JOB_PLACED, new Placement(node, worker, t), local);
    if (node.equals(self)) bus.send(Addresses.worker(worker), t, local);
    else bus.send(Addresses.node(node, "submit"), new Handoff(self, worker, t));
  }

  /**
   * What the task will ask of a worker's steps, counted as the worker's step loop counts it; a
   * template pre-warm: its template run.
   */
  private StepWork taskWork(DenoiseTask t) {
    if (t.templateOnly())
      return new StepWork(fullTokens, t.edit().steps(), t.deadlineAtMs(), t.priority());
    return t.work(fullTokens, activationCache, fullSteps, defaultSteps);
  }

  /** Tokens per step the task computes once it runs (after any full steps). */
  private int taskTokens(DenoiseTask t) {
    if (t.templateOnly()) return fullTokens;
    int perBranch = activationCache ? t.edit().maskedTokens().length : fullTokens;
    return perBranch * t.branches();
  }

  /**
   * A worker's queue is first-in first-out and fed only by this balancer, so its {@code queued}
   * tasks are the last ones routed to it: their tokens, summed.
   */
  private int queuedTokens(String worker, int queued) {
    Deque<Integer> recent = recentTokens.get(worker);
    if (recent == null) return 0;
    int sum = 0;
    Iterator<Integer> it = recent.iterator();
    for (int i = 0; i < queued && it.hasNext(); i++) sum += it.next();
    return sum;
  }
}
