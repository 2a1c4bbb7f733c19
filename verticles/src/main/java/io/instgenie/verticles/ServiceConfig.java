package io.instgenie.verticles;

import io.instgenie.cache.Precision;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import java.nio.file.Path;

/**
 * Every setting of the service, validated once. Resolved by {@link ConfigLoader} from defaults,
 * then a JSON file, then environment variables, then command-line flags.
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
    Scheduling scheduling,
    int maxStepTokens,
    int agingSteps) {

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

  public ServiceConfig {
    require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
    require(maxBatch >= 1, "max_batch must be at least 1, got " + maxBatch);
    require(queueCapacity >= 1, "queue_capacity must be at least 1, got " + queueCapacity);
    require(maxBodyBytes >= 1024, "max_body_bytes must be at least 1024, got " + maxBodyBytes);
    require(workers >= 1, "workers must be at least 1, got " + workers);
    require(cacheMemoryBytes >= 0, "cache_memory_bytes must not be negative");
    require(cacheDiskBytes > 0, "cache_disk_bytes must be positive");
    require(cachePrecision != null, "cache_precision must be f32 or bf16");
    require(retryAfterSeconds >= 1, "retry_after_seconds must be at least 1");
    require(syncTimeoutMs >= 1000, "sync_timeout_ms must be at least 1000");
    require(batching != null, "batching must be continuous or static");
    require(host != null && !host.isBlank(), "host must not be empty");
    require(backend != null, "backend must be auto, cuda, cpu or reference");
    require(mode != null, "mode must be instgenie or baseline");
    require(
        routing != null,
        "routing must be cost, round-robin, fewest-requests or fewest-masked-tokens");
    require(
        remoteFetchMibPerS > 0 && Double.isFinite(remoteFetchMibPerS),
        "remote_fetch_mib_per_s must be a positive number");
    require(
        remoteRoundTripMs >= 0 && Double.isFinite(remoteRoundTripMs),
        "remote_round_trip_ms must be a number >= 0");
    require(scheduling != null, "scheduling must be fcfs, srpt or edf");
    require(maxStepTokens >= 0, "max_step_tokens must be >= 0 (0 = auto), got " + maxStepTokens);
    require(agingSteps >= 1, "aging_steps must be at least 1, got " + agingSteps);
  }

  /** The step policy of the denoise workers. */
  public StepPolicy stepPolicy() {
    return new StepPolicy(scheduling, agingSteps);
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException("config: " + message);
  }

  public static ServiceConfig defaults() {
    return new ServiceConfig(
        "0.0.0.0",
        8080,
        8,
        64,
        10L << 20,
        Mode.INSTGENIE.batching(),
        Mode.INSTGENIE.activationCache(),
        1,
        2L << 30,
        null,
        20L << 30,
        Precision.F32,
        null,
        "auto",
        2,
        600_000,
        Mode.INSTGENIE,
        Mode.INSTGENIE.routing(),
        false,
        null,
        1000,
        0.5,
        Scheduling.FCFS,
        0,
        StepPolicy.DEFAULT_AGING_STEPS);
  }
}
