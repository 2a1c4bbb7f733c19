package io.instgenie.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The long load test (commands in loadtest/README.md). Every setting is a system property:
 *
 * <ul>
 *   <li>{@code target}: a running service's {@code http://host:port}; without it the service runs
 *       in this JVM with {@code preset} (default bench, random weights) or {@code model} (a model
 *       folder), and any service key given as {@code instgenie.KEY} (e.g. {@code
 *       -Dinstgenie.mode=baseline}, {@code -Dinstgenie.routing=round-robin}).
 *   <li>{@code workload}: a workload folder (make-workload); without it one is generated from
 *       {@code maskMean} (0.19), {@code seed} (1) and the model's image size.
 *   <li>{@code rate} (users/s, default 0.5), {@code duration} (s, default 300), {@code injection}
 *       ({@code poisson}: randomised constant rate; {@code trace}: the workload's own arrival
 *       times, stretched to {@code rate}).
 *   <li>Assertions: {@code p95Ms} (P95 of the edit group, default 120000), {@code maxFailedPct}
 *       (default 1).
 * </ul>
 */
public class EditLoadSimulation extends Simulation {
  private final String target = System.getProperty("target");
  private final double rate = Double.parseDouble(System.getProperty("rate", "0.5"));
  private final int seconds = Integer.getInteger("duration", 300);
  private final DitModel model = target == null ? model() : null;
  private volatile InProcessServer server;

  {
    WorkloadTrace trace = workload();
    int users = (int) Math.ceil(rate * seconds);
    OpenInjectionStep[] injection =
        "trace".equals(System.getProperty("injection", "poisson"))
            ? EditFlow.replay(trace, rate, users)
            : new OpenInjectionStep[] {EditFlow.poisson(rate, Duration.ofSeconds(seconds))};
    setUp(
            EditFlow.edits(
                    "edits",
                    listFeeder(EditFlow.records(trace)).circular(),
                    () -> target != null ? target : server.baseUrl(),
                    Duration.ofSeconds(Integer.getInteger("completeWithinS", 900)))
                .injectOpen(injection))
        .protocols(EditFlow.protocol())
        .assertions(
            global()
                .failedRequests()
                .percent()
                .lte(Double.parseDouble(System.getProperty("maxFailedPct", "1"))),
            details(EditFlow.GROUP)
                .responseTime()
                .percentile(95.0)
                .lt(Integer.getInteger("p95Ms", 120_000)));
  }

  private static DitModel model() {
    String dir = System.getProperty("model");
    if (dir != null) return DitModel.load(Path.of(dir));
    return DitModel.random(Presets.byName(System.getProperty("preset", "bench")), 0);
  }

  private WorkloadTrace workload() {
    String dir = System.getProperty("workload");
    if (dir != null) return WorkloadTrace.read(Path.of(dir));
    if (model == null)
      throw new IllegalArgumentException(
          "-Dtarget needs -Dworkload=DIR (a workload of the target's image size)");
    ModelConfig c = model.config();
    return WorkloadTrace.generate(
        new WorkloadTrace.Spec(
            Long.getLong("seed", 1),
            Math.max(1, (int) Math.ceil(rate * seconds)),
            rate,
            8,
            1.2,
            c.imageSize(),
            c.patchSize(),
            Double.parseDouble(System.getProperty("maskMean", "0.19")),
            WorkloadTrace.PROMPTS,
            List.of(c.defaultSteps())));
  }

  /** Service keys from {@code -Dinstgenie.KEY=VALUE}. */
  private static Map<String, String> serviceKeys() {
    Map<String, String> keys = new HashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("instgenie."))
        keys.put(
            name.substring("instgenie.".length()).toLowerCase(Locale.ROOT),
            System.getProperty(name));
    }
    return keys;
  }

  @Override
  public void before() {
    if (target != null) return;
    try {
      Map<String, String> keys = serviceKeys();
      int maxBatch = Integer.parseInt(keys.getOrDefault("max_batch", "8"));
      server =
          InProcessServer.start(
              model, ServeBench.benchConfig(maxBatch, keys), Duration.ofSeconds(300));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void after() {
    if (server != null) server.close();
  }
}
