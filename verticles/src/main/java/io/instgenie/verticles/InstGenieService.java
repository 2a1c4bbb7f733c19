package io.instgenie.verticles;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.CacheConfig;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.RemoteTier;
import io.instgenie.cache.TemplateCache;
import io.instgenie.cache.TemplateRegistry;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.batching.CachedTemplateStore;
import io.instgenie.verticles.batching.TemplateStore;
import io.instgenie.verticles.cluster.ClusterJobs;
import io.instgenie.verticles.cluster.ClusterRemoteTier;
import io.instgenie.verticles.cluster.ClusterState;
import io.instgenie.verticles.cluster.JobCluster;
import io.instgenie.verticles.cluster.SegmentServerVerticle;
import io.instgenie.verticles.cluster.TemplateDirectory;
import io.instgenie.verticles.codec.Codecs;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.http.HttpApiVerticle;
import io.instgenie.verticles.http.auth.ApiAccess;
import io.instgenie.verticles.http.auth.KeysFile;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.metrics.ServiceHealth;
import io.instgenie.verticles.metrics.ServiceMetrics;
import io.instgenie.verticles.observe.EditTracing;
import io.instgenie.verticles.observe.TracingSetup;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.Route;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wires the actors of one node: job table, post-processing, admission, balancer, denoise workers,
 * HTTP API.
 */
public final class InstGenieService {
  private static final System.Logger LOG = System.getLogger(InstGenieService.class.getName());

  /** Finished jobs whose results are kept for GET (oldest dropped first). */
  private static final int RESULTS_KEPT = 10_000;

  /** Assumed round trip of one segment request to a peer, ms. */
  private final Vertx vertx;

  private final ServiceConfig config;
  private final DitModel model;
  private final ServiceMetrics metrics = new ServiceMetrics();
  private final ServiceHealth health;
  private final Faults faults;
  private final EditTracing tracing;
  private final List<TemplateCache> caches = new CopyOnWriteArrayList<>();
  private HttpApiVerticle http;

  /** What differs between a node alone and one of a cluster. */
  private final NodeRole role;

  private final AtomicReference<LinearFit> computeFit = new AtomicReference<>();

  /** Completes once a drain has ended every job (and followers had a moment to hear it). */
  private final Promise<Void> drained = Promise.promise();

  private final AtomicBoolean drainStarted = new AtomicBoolean();

  /**
   * How long a drained node still serves after its last edit ended: followers receive the last
   * events, and a client that saw {@code completed} fetches the image (new edits still get 503).
   */
  private static final long RESULTS_GRACE_MS = 2_000;

  private InstGenieService(
      Vertx vertx,
      ServiceConfig config,
      DitModel model,
      HazelcastClusterManager manager,
      Faults faults,
      EditTracing tracing) {
    this.tracing = tracing;
    this.vertx = vertx;
    this.config = config;
    this.model = model;
    this.faults = faults;
    this.health = new ServiceHealth(config.workers());
    this.role = manager == null ? new SingleNode() : new Clustered(manager);
  }

  /**
   * Deploys everything; the future completes once the HTTP server listens (readiness follows
   * warm-up).
   */
  public static Future<InstGenieService> start(Vertx vertx, ServiceConfig config, DitModel model) {
    return start(vertx, config, model, null, Faults.NONE, null);
  }

  /** One node, with a fault-injection seam (tests). */
  public static Future<InstGenieService> start(
      Vertx vertx, ServiceConfig config, DitModel model, Faults faults) {
    return start(vertx, config, model, null, faults, null);
  }

  /**
   * As above, as one node of a cluster when {@code manager} (the cluster manager {@code vertx}
   * joined through) is given: jobs, templates and routing span every node.
   */
  public static Future<InstGenieService> start(
      Vertx vertx, ServiceConfig config, DitModel model, HazelcastClusterManager manager) {
    return start(vertx, config, model, manager, Faults.NONE, null);
  }

  /**
   * As above, with spans going to {@code tracing} (tests pass an in-memory SDK) instead of the one
   * {@code otlp_endpoint} describes; {@code manager} may be null (one node).
   */
  public static Future<InstGenieService> start(
      Vertx vertx,
      ServiceConfig config,
      DitModel model,
      HazelcastClusterManager manager,
      EditTracing tracing) {
    return start(vertx, config, model, manager, Faults.NONE, tracing);
  }

  /** As above (one node when {@code manager} is null), with a fault-injection seam (tests). */
  public static Future<InstGenieService> start(
      Vertx vertx,
      ServiceConfig config,
      DitModel model,
      HazelcastClusterManager manager,
      Faults faults,
      EditTracing given) {
    EditTracing tracing =
        given != null ? given : TracingSetup.fromEndpoint(config.observability().otlpEndpoint());
    if (manager != null && !vertx.isClustered())
      throw new IllegalArgumentException("a cluster manager was given but Vert.x is not clustered");
    if (manager == null) {
      InstGenieService s = new InstGenieService(vertx, config, model, null, faults, tracing);
      return s.deploy().map(v -> s);
    }
    // Hazelcast set-up (maps, listeners) blocks: off the caller's event loop
    return vertx
        .executeBlocking(() -> new InstGenieService(vertx, config, model, manager, faults, tracing))
        .compose(s -> s.deploy().map(v -> s));
  }

  private Future<Void> deploy() {
    Codecs.register(vertx);
    DeploymentOptions worker = new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER);
    Future<?> chain =
        vertx
            .deployVerticle(
                new JobsVerticle(
                    config.queueCapacity(),
                    RESULTS_KEPT,
                    config.stallMs(),
                    metrics,
                    role.jobs(),
                    config.activationCache() ? this::tiersHolding : null))
            .compose(
                id ->
                    vertx.deployVerticle(
                        () -> new PostProcessVerticle(faults, tracing),
                        new DeploymentOptions(worker).setInstances(2)))
            .compose(
                id ->
                    vertx.deployVerticle(
                        new AdmissionVerticle(
                            model.config(),
                            model.digest(),
                            EditLimits.of(model.config(), config),
                            tracing),
                        worker))
            .compose(
                id ->
                    vertx.deployVerticle(
                        new BalancerVerticle(
                            config.workers(),
                            config.maxBatch(),
                            model.config().imageTokens(),
                            model.config().depth(),
                            config.routing(),
                            config.scheduling(),
                            config.activationCache(),
                            fullSteps(config, model.config()),
                            model.config().defaultSteps(),
                            role.nodeId(),
                            faults)));
    for (int i = 0; i < config.workers(); i++) {
      int index = i;
      chain =
          chain.compose(
              id -> {
                Backend backend = Backends.byName(config.backend());
                TemplateCache cache =
                    new TemplateCache(
                        new CacheConfig(
                            config.cacheMemoryBytes() / config.workers(),
                            config.cacheDiskBytes(),
                            config.cacheDir() == null
                                ? null
                                : config.cacheDir().resolve("worker-" + index),
                            config.cachePrecision(),
                            config.cacheMode()),
                        role.remoteTier());
                caches.add(cache);
                if (cache.diskProblem() != null) {
                  // asked for a durable tier: running without it would be a silent downgrade
                  String why = cache.diskProblem();
                  cache.close();
                  return Future.failedFuture(
                      new IllegalArgumentException("cache_dir cannot be used (" + why + ")"));
                }
                role.attach(index, cache);
                metrics.cache(index, cache::stats);
                TemplateStore store = new CachedTemplateStore(cache, model.config());
                return vertx.deployVerticle(
                    new DenoiseWorkerVerticle(
                        new DenoiseWorkerVerticle.Settings(
                            index,
                            config.maxBatch(),
                            config.batching() == ServiceConfig.Batching.CONTINUOUS,
                            config.activationCache(),
                            config.stepPolicy(),
                            config.maxStepTokens(),
                            fullSteps(config, model.config()),
                            // held-back edits re-report well within the watchdog's stall_ms
                            Math.max(1, config.stallMs() / 4)),
                        model,
                        backend,
                        store,
                        metrics,
                        health,
                        role.workerNode(),
                        faults,
                        tracing));
              });
    }
    chain = chain.compose(id -> role.deployExtras(worker));
    return chain.compose(id -> access()).compose(this::deployHttp).mapEmpty();
  }

  /** Who may call: the keys file's keys, or anyone (with one warning) when none is configured. */
  private Future<ApiAccess> access() {
    Path keys = config.security().keysFile();
    if (keys != null) return KeysFile.watch(vertx, keys).map(f -> (ApiAccess) f);
    LOG.log(
        System.Logger.Level.WARNING,
        "no keys_file: the service runs open; anyone who reaches the port may submit, read and"
            + " cancel any edit, read /metrics and drain the node");
    return Future.succeededFuture(ApiAccess.OPEN);
  }

  private Future<String> deployHttp(ApiAccess access) {
    http =
        new HttpApiVerticle(
            new HttpApiVerticle.Config(
                config.host(),
                config.port(),
                config.maxBodyBytes(),
                config.retryAfterSeconds(),
                config.syncTimeoutMs(),
                config.security()),
            model.config(),
            model.digest(),
            metrics,
            health,
            this::drain,
            access,
            tracing);
    return vertx.deployVerticle(http);
  }

  /**
   * The remote tier's load time per segment: a fixed round trip plus bytes at the configured
   * bandwidth (a peer's read is from its memory, so the network dominates).
   */
  private LinearFit remoteLoadFit() {
    double msPerByte = 1000.0 / (config.remoteFetchMibPerS() * (1 << 20));
    return new LinearFit(config.remoteRoundTripMs(), msPerByte, 1, 0);
  }

  /** Fetch from a peer against the template run, both from this node's fits. */
  private ClusterRemoteTier.RemoteCosts remoteCosts() {
    return new ClusterRemoteTier.RemoteCosts() {
      @Override
      public double fetchMs(ActivationShape shape) {
        return shape.segments() * remoteLoadFit().predict(shape.segmentBytes());
      }

      @Override
      public double templateRunMs(ActivationShape shape) {
        LinearFit f = computeFit.get();
        ModelConfig c = model.config();
        int n = c.sequenceLength();
        double block = f == null ? 0 : f.predict(FlopModel.block(c, n, n));
        // no fit yet, or one that predicts no time at all (noise on a tiny model): unknown, so a
        // copy that exists is taken over a run whose cost cannot be told
        if (!(block > 0)) return Double.POSITIVE_INFINITY;
        return shape.steps() * c.depth() * block;
      }
    };
  }

  /** This node's id in the cluster, or {@link BalancerVerticle#ALONE} when it runs alone. */
  public String nodeId() {
    return role.nodeId();
  }

  /** The cluster's template directory, or null when this node runs alone. */
  public TemplateDirectory templateDirectory() {
    return role.directory();
  }

  /**
   * Drains the node: readiness turns 503 and new edits get 503 at once; queued and running edits
   * finish, up to {@code drain_timeout_ms}, then what is left ends {@code failed{error:"node shut
   * down"}}. Idempotent (a retried {@code POST /admin/drain} changes nothing); thread-safe. The
   * future completes once no edit is left.
   */
  public Future<Void> drain() {
    return drain(false);
  }

  /** As {@link #drain}, and what is left ends at once (a second SIGTERM). */
  public Future<Void> drainNow() {
    return drain(true);
  }

  private Future<Void> drain(boolean now) {
    boolean first = drainStarted.compareAndSet(false, true);
    if (!first && !now) return drained.future();
    health.drain();
    long started = System.currentTimeMillis();
    LOG.log(
        System.Logger.Level.INFO,
        now
            ? "draining now: what is left ends failed, node shut down"
            : "draining: new edits get 503; queued and running edits may take "
                + config.drainTimeoutMs()
                + " ms (drain_timeout_ms)");
    vertx
        .eventBus()
        .request(
            Addresses.JOB_DRAIN,
            now ? 0L : config.drainTimeoutMs(),
            new DeliveryOptions().setSendTimeout(config.drainTimeoutMs() + 60_000))
        .onComplete(
            ar -> {
              long spent = System.currentTimeMillis() - started;
              LOG.log(
                  System.Logger.Level.INFO,
                  (ar.succeeded()
                          ? "drain: every edit ended after "
                          : "drain: the job table did not answer within ")
                      + spent
                      + " ms; webhooks under way get what is left of drain_timeout_ms, then results"
                      + " are served "
                      + RESULTS_GRACE_MS
                      + " ms more");
              long left = now ? 0 : Math.max(0, config.drainTimeoutMs() - spent);
              (http == null ? Future.<Void>succeededFuture() : http.webhooksSettled(left))
                  .onComplete(h -> vertx.setTimer(RESULTS_GRACE_MS, t -> drained.tryComplete()));
            });
    return drained.future();
  }

  /** The tiers of this node's caches that hold the template's activations (any step count). */
  private Set<TierKind> tiersHolding(String templateId) {
    Set<TierKind> out = EnumSet.noneOf(TierKind.class);
    for (TemplateCache c : caches)
      for (TemplateRegistry.Entry e : c.registry().entries())
        if (e.key().id().equals(templateId)) out.addAll(e.tiers());
    return out;
  }

  /** Completes once a drain has finished. */
  public Future<Void> drained() {
    return drained.future();
  }

  public boolean ready() {
    return health.ready();
  }

  /** Readiness and the workers that failed to start. */
  public ServiceHealth health() {
    return health;
  }

  /** What a node alone and a node of a cluster wire differently. */
  private interface NodeRole {
    /** The cluster's id of this node; {@link BalancerVerticle#ALONE} alone. */
    String nodeId();

    /** The cluster's template directory; null alone. */
    TemplateDirectory directory();

    JobCluster jobs();

    RemoteTier remoteTier();

    /** A worker's cache joins what the node tells others it holds. */
    void attach(int worker, TemplateCache cache);

    DenoiseWorkerVerticle.Node workerNode();

    /** What only this kind of node runs, deployed after the workers. */
    Future<?> deployExtras(DeploymentOptions worker);
  }

  private static final class SingleNode implements NodeRole {
    @Override
    public String nodeId() {
      return BalancerVerticle.ALONE;
    }

    @Override
    public TemplateDirectory directory() {
      return null;
    }

    @Override
    public JobCluster jobs() {
      return JobCluster.SINGLE_NODE;
    }

    @Override
    public RemoteTier remoteTier() {
      return RemoteTier.ABSENT;
    }

    @Override
    public void attach(int worker, TemplateCache cache) {}

    @Override
    public DenoiseWorkerVerticle.Node workerNode() {
      return DenoiseWorkerVerticle.Node.SINGLE;
    }

    @Override
    public Future<?> deployExtras(DeploymentOptions worker) {
      return Future.succeededFuture();
    }
  }

  private final class Clustered implements NodeRole {
    private final ClusterState cluster;
    private final TemplateDirectory directory;

    Clustered(HazelcastClusterManager manager) {
      this.cluster = new ClusterState(vertx, manager);
      this.directory = new TemplateDirectory(cluster);
    }

    @Override
    public String nodeId() {
      return cluster.nodeId();
    }

    @Override
    public TemplateDirectory directory() {
      return directory;
    }

    @Override
    public JobCluster jobs() {
      return new ClusterJobs(vertx, cluster, directory);
    }

    @Override
    public RemoteTier remoteTier() {
      return new ClusterRemoteTier(vertx, directory, remoteCosts());
    }

    @Override
    public void attach(int worker, TemplateCache cache) {
      directory.attach(worker, cache.registry());
    }

    @Override
    public DenoiseWorkerVerticle.Node workerNode() {
      return DenoiseWorkerVerticle.Node.clustered(
          cluster.nodeId(), remoteLoadFit(), computeFit::set);
    }

    @Override
    public Future<?> deployExtras(DeploymentOptions worker) {
      return vertx
          .deployVerticle(new SegmentServerVerticle(cluster.nodeId(), caches), worker)
          .compose(
              id ->
                  vertx
                      .eventBus()
                      .<String>localConsumer(
                          Addresses.NODE_LEFT,
                          m ->
                              vertx.executeBlocking(
                                  () -> {
                                    directory.dropNode(m.body());
                                    return null;
                                  },
                                  false))
                      .completion());
    }
  }

  /** The HTTP API's routes as registered. */
  public List<Route> routes() {
    return http.routes();
  }

  public int port() {
    return http.port();
  }

  /** The template caches, one per worker (tests and benchmarks read their stats). */
  public List<TemplateCache> caches() {
    return caches;
  }

  public ServiceMetrics metrics() {
    return metrics;
  }

  /** The quality knob: the setting, or with -1 the model's own default (0 when it names none). */
  static int fullSteps(ServiceConfig config, ModelConfig model) {
    return config.fullSteps() >= 0 ? config.fullSteps() : EditEngine.defaultFullSteps(model);
  }
}
