package io.instgenie.verticles;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/** The service's metrics (Micrometer, scraped in Prometheus format at /metrics); thread-safe. */
public final class ServiceMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer stepLatency;
  private final Timer kernelLatency;
  private final DistributionSummary stepOverheadMs;
  private final DistributionSummary batchMembers;
  private final DistributionSummary batchSequences;
  private final Timer requestLatency;
  private final Counter templateHits;
  private final Counter templateMisses;

  public ServiceMetrics() {
    stepLatency = Timer.builder("instgenie_step").description("Wall time of one denoising step")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    kernelLatency = Timer.builder("instgenie_step_kernel").description("Time of a step inside the forward pass")
        .register(registry);
    stepOverheadMs = DistributionSummary.builder("instgenie_step_overhead_ms")
        .description("Per-step batching overhead: step wall time minus forward time, ms")
        .publishPercentiles(0.5, 0.95).register(registry);
    batchMembers = DistributionSummary.builder("instgenie_batch_size")
        .description("Requests (and template runs) in the batch, per step").register(registry);
    batchSequences = DistributionSummary.builder("instgenie_batch_sequences")
        .description("Denoiser evaluations (guidance branches) per step").register(registry);
    requestLatency = Timer.builder("instgenie_request").description("Admission to completion of an edit")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    templateHits = Counter.builder("instgenie_template_cache_hits").description("Edits whose template was cached")
        .register(registry);
    templateMisses = Counter.builder("instgenie_template_cache_misses")
        .description("Edits that needed (or joined) a template run").register(registry);
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

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Mean step overhead so far (ms), for tests and benchmarks. */
  public double meanStepOverheadMs() {
    return stepOverheadMs.mean();
  }
}
