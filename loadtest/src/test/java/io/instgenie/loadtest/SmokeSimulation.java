package io.instgenie.loadtest;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;

import io.gatling.javaapi.core.Simulation;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.bench.ServeBench;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The load test that runs in {@code mvn verify}: the tiny model served in this JVM, about 45 edits
 * arriving at random (Poisson, 3/s for 15 s) from a seeded 0.19 workload, each submitted, followed
 * over WebSocket to {@code completed} and fetched. It fails the build when any request fails or
 * when the P95 edit latency reaches {@code smoke.p95Ms} (default 10 s: a tiny edit takes
 * milliseconds, so only a hang or a queue that never drains gets there, on a loaded machine too).
 */
public class SmokeSimulation extends Simulation {
  private static final double RATE = Double.parseDouble(System.getProperty("smoke.rate", "3"));
  private static final int SECONDS = Integer.getInteger("smoke.seconds", 15);
  private static final int P95_MS = Integer.getInteger("smoke.p95Ms", 10_000);

  private final DitModel model = DitModel.random(Presets.tiny(), 5);
  private volatile InProcessServer server;

  {
    ModelConfig c = model.config();
    int requests = (int) Math.ceil(RATE * SECONDS * 2) + 10; // the feeder must not run dry
    WorkloadTrace trace =
        WorkloadTrace.generate(
            new WorkloadTrace.Spec(
                11,
                requests,
                RATE,
                4,
                1.2,
                c.imageSize(),
                c.patchSize(),
                0.19,
                WorkloadTrace.PROMPTS,
                List.of(c.defaultSteps())));
    List<Map<String, Object>> records = EditFlow.records(trace);
    setUp(
            EditFlow.edits(
                    "smoke edits",
                    listFeeder(records).queue(),
                    () -> server.baseUrl(),
                    Duration.ofSeconds(30))
                .injectOpen(EditFlow.poisson(RATE, Duration.ofSeconds(SECONDS))))
        .protocols(EditFlow.protocol())
        .maxDuration(Duration.ofSeconds(60))
        .assertions(
            global().failedRequests().count().is(0L),
            // at least half the expected arrivals were submitted and accepted
            details(EditFlow.GROUP, "submit")
                .successfulRequests()
                .count()
                .gte((long) (RATE * SECONDS / 2)),
            details(EditFlow.GROUP).responseTime().percentile(95.0).lt(P95_MS));
  }

  @Override
  public void before() {
    try {
      server =
          InProcessServer.start(model, ServeBench.benchConfig(8, Map.of()), Duration.ofSeconds(60));
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
