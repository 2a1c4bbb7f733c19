package io.instgenie.verticles.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.bench.WorkloadTrace;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.Router;
import io.instgenie.verticles.policy.Routing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The simulator on hand-checkable and small seeded workloads (simulated time only). */
class SimulatorTest {
  /** Compute per block from `bench cache` on the project VM; cold disk 3.1 ms/MiB. */
  private static final CostModel MEASURED =
      new CostModel(
          new LinearFit(5.276, 8.607e-9, 1, 0),
          Map.of(TierKind.DISK, new LinearFit(0, 3.1 / (1 << 20), 1, 0)));

  private static SimConfig bench(int workers, long memoryBytes, long diskBytes) {
    return new SimConfig(
        Presets.bench(), workers, 8, 2, MEASURED, memoryBytes, diskBytes, Precision.F32, 0);
  }

  private static List<SimRequest> skewed(
      ModelConfig c, int requests, double rate, int templates, long seed) {
    return SimWorkloads.of(
        WorkloadTrace.requests(
            new WorkloadTrace.Spec(
                seed,
                requests,
                rate,
                templates,
                1.0,
                c.imageSize(),
                c.patchSize(),
                0.19,
                WorkloadTrace.PROMPTS,
                List.of(20))),
        1);
  }

  @Test
  @DisplayName("the same seeded requests give exactly the same numbers, run after run")
  void deterministic() {
    SimConfig config = bench(4, 1L << 30, 4L << 30);
    List<SimRequest> rs = skewed(config.model(), 400, 1.2, 30, 7);
    for (Routing r : Routing.values()) {
      SimResult a = new Simulator(config).run(rs, r);
      SimResult b = new Simulator(config).run(skewed(config.model(), 400, 1.2, 30, 7), r);
      assertEquals(a, b, r + ": two runs differ");
      assertEquals(400, a.completed(), r + ": every request completes");
    }
  }

  @Test
  @DisplayName("a one-worker scenario: template run shared by two edits, a later hit, by hand")
  void handChecked() {
    // tiny model: depth 2; compute 1 ms per block whatever the batch: every step takes 2 ms
    ModelConfig tiny = Presets.tiny();
    CostModel flat = new CostModel(new LinearFit(1, 0, 1, 0), Map.of());
    SimConfig config = new SimConfig(tiny, 1, 2, 2, flat, 1L << 20, 0, Precision.F32, 0);
    List<SimRequest> rs =
        List.of(
            new SimRequest(0, 0, "A", 3, 3),
            new SimRequest(1, 1, "A", 5, 3),
            new SimRequest(2, 10, "A", 4, 3));
    SimResult r = new Simulator(config).run(rs, Routing.FEWEST_REQUESTS);
    // t=0: r0 misses, A's template run steps 0-6 (r1, queued at 1, joins it as a waiter at 2);
    // both edits run 6-12; r2 (at 10) hits memory at 12 and runs 12-18
    assertEquals(3, r.completed());
    assertEquals((12 + 11 + 8) / 3.0, r.meanMs(), 1e-9);
    assertEquals(12, r.p95Ms(), 0);
    assertEquals(11, r.p50Ms(), 0);
    assertEquals(3 / 0.018, r.throughputRps(), 1e-9);
    assertEquals(1, r.templateRuns());
    assertEquals(3, r.lookups());
    assertEquals(1, r.memoryHits());
    assertTrue(Double.isNaN(r.batchMeanMs()), "no batch edit");
    assertFalse(r.json().containsKey("interactive_mean_ms"), "one class: no per-class means");
    // the same scenario with r1 in the batch class (fcfs: nothing else changes): per-class means
    List<SimRequest> mixed =
        List.of(rs.get(0), rs.get(1).with(Double.POSITIVE_INFINITY, Priority.BATCH), rs.get(2));
    SimResult m = new Simulator(config).run(mixed, Routing.FEWEST_REQUESTS).withIdle(6);
    assertEquals((12 + 8) / 2.0, m.interactiveMeanMs(), 1e-9);
    assertEquals(11, m.batchMeanMs(), 1e-9);
    assertEquals(10 / 6.0, (double) m.json().get("interactive_over_idle"), 1e-9);
  }

  @Test
  @DisplayName(
      "the quality knob: with it at the model's default steps every step of a cached edit costs"
          + " what a fully recomputed edit's does (equal latencies, exactly); with it off less")
  void fullStepsKnob() {
    ModelConfig tiny = Presets.tiny();
    CostModel perFlop = new CostModel(new LinearFit(0.1, 1e-6, 1, 0), Map.of());
    int all = tiny.imageTokens();
    int d = tiny.defaultSteps();
    SimConfig knobAll = new SimConfig(tiny, 1, 2, 2, perFlop, 1L << 20, 0, Precision.F32, d);
    SimConfig knobOff = new SimConfig(tiny, 1, 2, 2, perFlop, 1L << 20, 0, Precision.F32, 0);
    List<SimRequest> masked =
        List.of(new SimRequest(0, 0, "A", 3, d), new SimRequest(1, 1000, "A", 3, d));
    List<SimRequest> everyToken =
        List.of(new SimRequest(0, 0, "A", all, d), new SimRequest(1, 1000, "A", all, d));
    double withKnob = new Simulator(knobAll).run(masked, Routing.FEWEST_REQUESTS).meanMs();
    double recomputed = new Simulator(knobOff).run(everyToken, Routing.FEWEST_REQUESTS).meanMs();
    double cached = new Simulator(knobOff).run(masked, Routing.FEWEST_REQUESTS).meanMs();
    assertEquals(recomputed, withKnob, 1e-9);
    assertTrue(cached < withKnob, cached + " vs " + withKnob);
  }

  @Test
  @DisplayName("step latency is Algorithm 1 on the cost model, and disk rows pay their loads")
  void diskStepCost() {
    // one edit per step; read from disk, it pays Ld per block unless recomputing is cheaper
    ModelConfig tiny = Presets.tiny();
    CostModel costs =
        new CostModel(
            new LinearFit(1, 0, 1, 0), Map.of(TierKind.DISK, new LinearFit(0.5, 0, 1, 0)));
    // memory holds nothing (0 bytes), so the committed template is on disk only
    SimConfig config = new SimConfig(tiny, 1, 2, 1, costs, 0, 1L << 20, Precision.F32, 0);
    List<SimRequest> rs =
        List.of(new SimRequest(0, 0, "A", 3, 2), new SimRequest(1, 100, "A", 3, 2));
    SimResult r = new Simulator(config).run(rs, Routing.ROUND_ROBIN);
    // r0: template run 2 steps of 2 ms, then 2 steps of 2 ms from the run's own activations: 8 ms.
    // r1 at 100: a disk hit, Ld 0.5 per block. Block 0: caching ends at max(0.5, 0) + 1 = 1.5 >
    // 0 + 1, so it recomputes; block 1: max(0.5, 1) + 1 = 2 = 1 + 1, a tie, so it caches: 2 ms
    // per step, 4 ms in all
    assertEquals((8 + 4) / 2.0, r.meanMs(), 1e-9);
    assertEquals(1, r.diskHits());
    assertEquals(1, r.promotions());
  }

  @Test
  @DisplayName("static batching makes a newcomer wait for the running batch; continuous, one step")
  void staticAgainstContinuous() {
    // tiny model, 1 ms per block whatever the batch: every step takes 2 ms; max batch 2
    CostModel flat = new CostModel(new LinearFit(1, 0, 1, 0), Map.of());
    SimConfig config = new SimConfig(Presets.tiny(), 1, 2, 2, flat, 1L << 20, 0, Precision.F32, 0);
    List<SimRequest> rs =
        List.of(new SimRequest(0, 0, "A", 3, 10), new SimRequest(1, 31, "A", 3, 2));
    Simulator sim = new Simulator(config);
    SimResult continuous = sim.run(rs, Routing.FEWEST_REQUESTS, true);
    SimResult fixed = sim.run(rs, Routing.FEWEST_REQUESTS, false);
    // both: A's template run steps 0-20, r0 runs 20-40 (40 ms). Continuous: r1 (at 31) joins at
    // the step boundary 32 and runs 32-36 (5 ms). Static: r1 waits for the batch to empty at 40
    // and runs 40-44 (13 ms)
    assertEquals((40 + 5) / 2.0, continuous.meanMs(), 1e-9);
    assertEquals((40 + 13) / 2.0, fixed.meanMs(), 1e-9);
    assertEquals("fewest-requests", continuous.policy());
    assertEquals("fewest-requests/static", fixed.policy());
  }

  @Test
  @DisplayName("every routing decision is the router class's own choice on the same view")
  void routesAsTheRouters() {
    SimConfig config = bench(6, 1L << 30, 4L << 30);
    List<SimRequest> rs = skewed(config.model(), 300, 1.5, 20, 3);
    for (Routing routing : Routing.values()) {
      Router replay = Router.of(routing, 0, 0); // round-robin: a fresh turn, replayed in order
      List<String> mismatches = new ArrayList<>();
      int[] count = {0};
      new Simulator(config)
          .run(
              rs,
              routing,
              (req, views, request, base, perToken, worker) -> {
                Router router =
                    routing == Routing.COST ? Router.of(routing, base, perToken) : replay;
                int expected = router.choose(views, request);
                count[0]++;
                if (expected != worker)
                  mismatches.add(req.id() + ": " + worker + " vs " + expected);
              });
      assertEquals(300, count[0], routing + ": one decision per request");
      assertTrue(mismatches.isEmpty(), routing + " routed differently: " + mismatches);
    }
  }

  @Test
  @DisplayName("cost-aware routing's P95 is at least 20% below fewest-requests on a skewed load")
  void costBeatsFewestRequests() {
    // 4 workers, 60 templates (Zipf 1) against 4 GiB of disk (25 templates) per worker
    SimConfig config = bench(4, 1L << 30, 4L << 30);
    List<SimRequest> probe = skewed(config.model(), 2000, 1, 60, 11);
    double capacity = SimWorkloads.capacityRps(config, SimWorkloads.meanMaskedTokens(probe), 20);
    List<SimRequest> rs = skewed(config.model(), 2000, 0.6 * capacity, 60, 11);
    SimResult cost = new Simulator(config).run(rs, Routing.COST);
    SimResult fewest = new Simulator(config).run(rs, Routing.FEWEST_REQUESTS);
    assertTrue(
        cost.p95Ms() <= 0.8 * fewest.p95Ms(),
        "cost P95 " + cost.p95Ms() + " ms vs fewest-requests " + fewest.p95Ms() + " ms");
    assertTrue(
        cost.templateRuns() < fewest.templateRuns(),
        "template runs: cost " + cost.templateRuns() + ", fewest " + fewest.templateRuns());
  }
}
