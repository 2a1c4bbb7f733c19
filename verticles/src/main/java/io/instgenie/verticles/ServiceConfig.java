package io.instgenie.verticles;

import io.instgenie.cache.CacheMode;
import io.instgenie.cache.Precision;
import io.instgenie.verticles.http.auth.SecurityConfig;
import io.instgenie.verticles.observe.LogFormat;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of the service, validated once. Resolved by {@link ConfigLoader} from defaults,
 * then a JSON file, then environment variables, then command-line flags; each setting is declared
 * in {@link ServiceSettings}.
 */
public record ServiceConfig(
    String host,
    int port,
    int maxBatch,
    int queueCapacity,
    long maxBodyBytes,
    Batching batching,
    boolean activationCache,
    int workers,
    long cacheMemoryBytes,
    Path cacheDir,
    long cacheDiskBytes,
    Precision cachePrecision,
    CacheMode cacheMode,
    Path modelDir,
    String backend,
    int retryAfterSeconds,
    long syncTimeoutMs,
    Mode mode,
    Routing routing,
    boolean cluster,
    Path clusterConfig,
    double remoteFetchMibPerS,
    double remoteRoundTripMs,
    int maxSteps,
    long maxTemplateRunBytes,
    long maxEditMs,
    long stallMs,
    long drainTimeoutMs,
    Scheduling scheduling,
    int maxStepTokens,
    int agingSteps,
    int fullSteps,
    SecurityConfig security,
    Observability observability) {

  /** How the service shows what it does: its log lines' form and where its traces go. */
  public record Observability(LogFormat logFormat, String otlpEndpoint) {
    public Observability {
      Objects.requireNonNull(logFormat, "log_format");
    }
  }

  /**
   * Which server the switches describe by default: this one, or the Diffusers-style baseline it is
   * measured against. A mode only supplies the defaults of {@code batching}, {@code cache} and
   * {@code routing}; those keys, set explicitly, win (see {@link ConfigLoader}).
   */
  public enum Mode {
    /** Continuous batching, activation cache on, cost-aware routing. */
    INSTGENIE(Batching.CONTINUOUS, true, Routing.COST),
    /** Static request-level batching, every token recomputed, round-robin routing. */
    BASELINE(Batching.STATIC, false, Routing.ROUND_ROBIN);

    private final Batching batching;
    private final boolean activationCache;
    private final Routing routing;

    Mode(Batching batching, boolean activationCache, Routing routing) {
      this.batching = batching;
      this.activationCache = activationCache;
      this.routing = routing;
    }

    public Batching batching() {
      return batching;
    }

    public boolean activationCache() {
      return activationCache;
    }

    public Routing routing() {
      return routing;
    }
  }

  /** How a denoise worker forms its batch. */
  public enum Batching {
    /** Requests join and leave the running batch at every step boundary. */
    CONTINUOUS,
    /** A batch runs to completion before the next one forms (request-level batching). */
    STATIC
  }

  /** Ranges are checked by the loader ({@link ServiceSettings}); here, only presence. */
  public ServiceConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(cachePrecision, "cache_precision");
    Objects.requireNonNull(cacheMode, "cache_mode");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(scheduling, "scheduling");
    Objects.requireNonNull(observability, "observability");
    Objects.requireNonNull(security, "security");
  }

  /** The step policy of the denoise workers. */
  public StepPolicy stepPolicy() {
    return new StepPolicy(scheduling, agingSteps);
  }

  /** Every setting at its default. */
  public static ServiceConfig defaults() {
    return ConfigLoader.load(null, Map.of(), Map.of());
  }
}
