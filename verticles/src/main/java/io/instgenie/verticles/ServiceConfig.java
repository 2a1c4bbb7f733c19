package io.instgenie.verticles;

import io.instgenie.cache.Precision;
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
    long syncTimeoutMs) {

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
    require(backend != null, "backend must be auto, cpu or reference");
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
        Batching.CONTINUOUS,
        true,
        1,
        2L << 30,
        null,
        20L << 30,
        Precision.F32,
        null,
        "auto",
        2,
        600_000);
  }
}
