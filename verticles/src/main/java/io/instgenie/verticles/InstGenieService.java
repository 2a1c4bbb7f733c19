package io.instgenie.verticles;

import io.instgenie.cache.CacheConfig;
import io.instgenie.cache.TemplateCache;
import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.verticles.batching.CachedTemplateStore;
import io.instgenie.verticles.batching.TemplateStore;
import io.instgenie.verticles.codec.Codecs;
import io.instgenie.verticles.http.HttpApiVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Wires the actors of one node: job table, post-processing, admission, balancer, denoise workers,
 * HTTP API.
 */
public final class InstGenieService {
  /** Finished jobs whose results are kept for GET (oldest dropped first). */
  private static final int RESULTS_KEPT = 10_000;

  private final Vertx vertx;
  private final ServiceConfig config;
  private final DitModel model;
  private final ServiceMetrics metrics = new ServiceMetrics();
  private final CountDownLatch warm;
  private final List<TemplateCache> caches = new ArrayList<>();
  private HttpApiVerticle http;

  private InstGenieService(Vertx vertx, ServiceConfig config, DitModel model) {
    this.vertx = vertx;
    this.config = config;
    this.model = model;
    this.warm = new CountDownLatch(config.workers());
  }

  /**
   * Deploys everything; the future completes once the HTTP server listens (readiness follows
   * warm-up).
   */
  public static Future<InstGenieService> start(Vertx vertx, ServiceConfig config, DitModel model) {
    InstGenieService s = new InstGenieService(vertx, config, model);
    return s.deploy().map(v -> s);
  }

  private Future<Void> deploy() {
    Codecs.register(vertx);
    DeploymentOptions worker = new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER);
    Future<?> chain =
        vertx
            .deployVerticle(new JobsVerticle(config.queueCapacity(), RESULTS_KEPT, metrics))
            .compose(
                id ->
                    vertx.deployVerticle(
                        PostProcessVerticle::new, new DeploymentOptions(worker).setInstances(2)))
            .compose(
                id ->
                    vertx.deployVerticle(
                        new AdmissionVerticle(model.config(), model.digest()), worker))
            .compose(
                id ->
                    vertx.deployVerticle(
                        new BalancerVerticle(
                            config.workers(),
                            config.maxBatch(),
                            model.config().imageTokens(),
                            config.routing(),
                            config.activationCache())));
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
                            config.cachePrecision()));
                caches.add(cache);
                metrics.cache(index, cache::stats);
                TemplateStore store = new CachedTemplateStore(cache, model.config());
                return vertx.deployVerticle(
                    new DenoiseWorkerVerticle(
                        index,
                        model,
                        backend,
                        store,
                        config.maxBatch(),
                        config.batching() == ServiceConfig.Batching.CONTINUOUS,
                        config.activationCache(),
                        metrics,
                        warm));
              });
    }
    http =
        new HttpApiVerticle(
            new HttpApiVerticle.Config(
                config.host(),
                config.port(),
                config.maxBodyBytes(),
                config.retryAfterSeconds(),
                config.syncTimeoutMs()),
            model.config(),
            model.digest(),
            metrics,
            this::ready);
    return chain.compose(id -> vertx.deployVerticle(http)).mapEmpty();
  }

  public boolean ready() {
    return warm.getCount() == 0;
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
}
