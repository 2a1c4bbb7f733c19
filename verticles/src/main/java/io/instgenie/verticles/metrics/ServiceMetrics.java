package io.instgenie.verticles.metrics;

import io.instgenie.cache.CacheStats;
import io.instgenie.cache.TierKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** The service's metrics (Micrometer, scraped in Prometheus format at /metrics); thread-safe. */
public final class ServiceMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer stepLatency;
  private final Timer kernelLatency;
  private final DistributionSummary stepOverheadMs;
  private final DistributionSummary batchMembers;
  private final DistributionSummary batchSequences;
  private final Timer requestLatency;
  private final Counter templateHits;
  private final Counter templateMisses;
  private final List<Object> sources = new CopyOnWriteArrayList<>();

  /** Per slowest tier read: blocks that used the cache [0] and that recomputed every row [1]. */
  private final Map<TierKind, Counter[]> blocks = new EnumMap<>(TierKind.class);

  public ServiceMetrics() {
    stepLatency =
        Timer.builder("instgenie_step")
            .description("Wall time of one denoising step")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    kernelLatency =
        Timer.builder("instgenie_step_kernel")
            .description("Time of a step inside the forward pass")
            .register(registry);
    stepOverheadMs =
        DistributionSummary.builder("instgenie_step_overhead_ms")
            .description("Per-step batching overhead: step wall time minus forward time, ms")
            .publishPercentiles(0.5, 0.95)
            .register(registry);
    batchMembers =
        DistributionSummary.builder("instgenie_batch_size")
            .description("Requests (and template runs) in the batch, per step")
            .register(registry);
    batchSequences =
        DistributionSummary.builder("instgenie_batch_sequences")
            .description("Denoiser evaluations (guidance branches) per step")
            .register(registry);
    requestLatency =
        Timer.builder("instgenie_request")
            .description("Admission to completion of an edit")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(10))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    templateHits =
        Counter.builder("instgenie_template_cache_hits")
            .description("Edits whose template was cached")
            .register(registry);
    templateMisses =
        Counter.builder("instgenie_template_cache_misses")
            .description("Edits that needed (or joined) a template run")
            .register(registry);
    for (TierKind tier : TierKind.values()) {
      Counter[] modes = new Counter[2];
      String[] names = {"cache", "recompute"};
      for (int i = 0; i < 2; i++) {
        modes[i] =
            Counter.builder("instgenie_step_blocks")
                .tags("mode", names[i], "tier", tier.name().toLowerCase(Locale.ROOT))
                .description(
                    "Blocks of steps that read cached rows, by mode (Algorithm 1's choice) and by"
                        + " the slowest tier read")
                .register(registry);
      }
      blocks.put(tier, modes);
    }
  }

  public void step(int members, int sequences, double stepMs, double kernelMs) {
    stepLatency.record(Duration.ofNanos((long) (stepMs * 1e6)));
    kernelLatency.record(Duration.ofNanos((long) (kernelMs * 1e6)));
    stepOverheadMs.record(Math.max(0, stepMs - kernelMs));
    batchMembers.record(members);
    batchSequences.record(sequences);
  }

  public void templateLookup(boolean hit) {
    (hit ? templateHits : templateMisses).increment();
  }

  public void requestDone(long ms) {
    requestLatency.record(Duration.ofMillis(ms));
  }

  public void gauge(String name, String help, Supplier<Number> value) {
    Gauge.builder(name, value).description(help).register(registry);
  }

  /**
   * Publishes a worker's template-cache counters (per tier: hits, misses, bytes, evictions;
   * prefetches, bubbles, whether the disk tier works).
   */
  public void cache(int worker, Supplier<CacheStats> stats) {
    sources.add(stats); // Micrometer holds function sources weakly
    String w = String.valueOf(worker);
    for (TierKind kind : TierKind.values()) {
      Tags tags = Tags.of("worker", w, "tier", kind.name().toLowerCase(Locale.ROOT));
      FunctionCounter.builder("instgenie_cache_hits", stats, s -> s.get().tier(kind).hits())
          .tags(tags)
          .description("Template lookups served by this tier")
          .register(registry);
      FunctionCounter.builder("instgenie_cache_misses", stats, s -> s.get().tier(kind).misses())
          .tags(tags)
          .description("Template lookups this tier could not serve")
          .register(registry);
      FunctionCounter.builder(
              "instgenie_cache_evictions", stats, s -> s.get().tier(kind).evictions())
          .tags(tags)
          .description("Templates evicted from this tier")
          .register(registry);
      Gauge.builder("instgenie_cache_bytes", stats, s -> s.get().tier(kind).bytes())
          .tags(tags)
          .description("Bytes of template activations in this tier")
          .register(registry);
    }
    Tags tags = Tags.of("worker", w);
    FunctionCounter.builder("instgenie_cache_prefetches", stats, s -> s.get().prefetches())
        .tags(tags)
        .description("Disk-to-memory promotions while an edit waited")
        .register(registry);
    FunctionCounter.builder(
            "instgenie_cache_corrupt_segments", stats, s -> s.get().corruptSegments())
        .tags(tags)
        .description("Cache files discarded for a checksum mismatch")
        .register(registry);
    FunctionCounter.builder(
            "instgenie_cache_bubble_seconds", stats, s -> s.get().bubbleNanos() / 1e9)
        .tags(tags)
        .description("Time compute waited for the cache loader")
        .register(registry);
    Gauge.builder("instgenie_cache_disk_available", stats, s -> s.get().diskAvailable() ? 1 : 0)
        .tags(tags)
        .description(
            "1 while the disk tier works; 0 once a failed write or an unusable folder switched it"
                + " off (the log says why; memory only until a restart), and without cache_dir")
        .register(registry);
  }

  /**
   * A worker's start-up fit {@code fit} (compute, load_memory, load_disk): time = intercept + slope
   * × x, x in the unit {@code per} (gflop for compute, mib for loads), and its R².
   */
  public void calibration(
      int worker, String fit, double interceptMs, double slopeMs, String per, double r2) {
    Tags tags = Tags.of("worker", String.valueOf(worker), "fit", fit);
    Gauge.builder("instgenie_calibration_intercept_ms", () -> interceptMs)
        .tags(tags)
        .description("Start-up fit of compute time per block or load time per segment: intercept")
        .register(registry);
    Gauge.builder("instgenie_calibration_slope_ms", () -> slopeMs)
        .tags(tags.and("per", per))
        .description("Start-up fit: milliseconds per unit of work (GFLOP, or MiB loaded)")
        .register(registry);
    Gauge.builder("instgenie_calibration_r2", () -> r2)
        .tags(tags)
        .description("Start-up fit: R squared")
        .register(registry);
  }

  /**
   * One step's block modes (Algorithm 1) for a batch that read cached rows, by the slowest tier it
   * read from.
   */
  public void blockModes(TierKind slowest, int cached, int recomputed) {
    blocks.get(slowest)[0].increment(cached);
    blocks.get(slowest)[1].increment(recomputed);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Mean step overhead so far (ms), for tests and benchmarks. */
  public double meanStepOverheadMs() {
    return stepOverheadMs.mean();
  }
}
