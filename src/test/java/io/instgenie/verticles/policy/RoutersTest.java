package io.instgenie.verticles.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.cache.TierKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each routing policy's choice on hand-built views of three workers. */
class RoutersTest {
  private static final int FULL = 1024;

  /** Segments an edit of 20 steps reads from a model of depth 8. */
  private static final int SEGMENTS = 20 * 8;

  /** A running member computing {@code tokens} per step with {@code left} steps to go. */
  private static MemberLoad member(int tokens, int left) {
    return new MemberLoad(tokens, left);
  }

  /** A worker holding {@code templates} in memory. */
  private static WorkerView view(
      int worker, List<MemberLoad> running, int queued, int queuedTokens, Set<String> templates) {
    return new WorkerView(worker, running, queued, queuedTokens, 8, inMemory(templates), Map.of());
  }

  private static Map<String, TierKind> inMemory(Set<String> templates) {
    Map<String, TierKind> out = new HashMap<>();
    for (String t : templates) out.put(t, TierKind.MEMORY);
    return out;
  }

  /**
   * Worker 0: one large running edit, nothing queued. Worker 1: three small running edits and two
   * queued small ones, holds template "t". Worker 2: two medium running edits and one queued large
   * one.
   */
  private static List<WorkerView> threeWorkers() {
    return List.of(
        view(0, List.of(member(600, 10)), 0, 0, Set.of()),
        view(1, List.of(member(40, 5), member(40, 5), member(40, 5)), 2, 80, Set.of("t")),
        view(2, List.of(member(150, 10), member(150, 10)), 1, 400, Set.of()));
  }

  private static final RouteRequest SMALL_EDIT_OF_T =
      new RouteRequest("t", 100, 20, FULL, SEGMENTS);

  @Test
  @DisplayName("round-robin takes the workers in turn, whatever their load")
  void roundRobin() {
    Router r = new RoundRobinRouter();
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 7; i++) picks.add(r.choose(threeWorkers(), SMALL_EDIT_OF_T));
    assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), picks);
  }

  @Test
  @DisplayName("round-robin answers the worker index of the view, not the position in the list")
  void roundRobinUsesWorkerIds() {
    List<WorkerView> two =
        List.of(view(5, List.of(), 0, 0, Set.of()), view(9, List.of(), 0, 0, Set.of()));
    Router r = new RoundRobinRouter();
    assertEquals(5, r.choose(two, SMALL_EDIT_OF_T));
    assertEquals(9, r.choose(two, SMALL_EDIT_OF_T));
    assertEquals(5, r.choose(two, SMALL_EDIT_OF_T));
  }

  @Test
  @DisplayName("fewest-requests picks the worker with the fewest running plus queued requests")
  void fewestRequests() {
    // requests: 1, 5, 3
    assertEquals(0, new FewestRequestsRouter().choose(threeWorkers(), SMALL_EDIT_OF_T));
    List<WorkerView> tie =
        List.of(
            view(0, List.of(member(10, 1), member(10, 1)), 1, 10, Set.of()),
            view(1, List.of(member(900, 9)), 2, 900, Set.of()),
            view(2, List.of(member(10, 1)), 3, 30, Set.of()));
    assertEquals(0, new FewestRequestsRouter().choose(tie, SMALL_EDIT_OF_T), "ties to the first");
  }

  @Test
  @DisplayName(
      "fewest-masked-tokens picks the fewest running plus queued tokens per step, not the fewest requests")
  void fewestMaskedTokens() {
    // tokens: 600, 120 + 80 = 200, 300 + 400 = 700
    assertEquals(1, new FewestMaskedTokensRouter().choose(threeWorkers(), SMALL_EDIT_OF_T));
    List<WorkerView> tie =
        List.of(
            view(0, List.of(member(50, 3), member(50, 3)), 0, 0, Set.of()),
            view(1, List.of(member(100, 3)), 0, 0, Set.of()));
    assertEquals(
        1, new FewestMaskedTokensRouter().choose(tie, SMALL_EDIT_OF_T), "ties to fewer requests");
  }

  @Test
  @DisplayName(
      "cost routing sends an edit to the worker that holds its template when the others would first pay a template run")
  void costPrefersTemplateHolder() {
    Router r = new CostRouter(5, 0.1);
    // worker 1 holds t: 20 × (5 + 0.1 × (120 + 100)) = 540 ms; worker 0 also pays the template
    // run: 20 × (5 + 0.1 × 700) + 20 × (5 + 0.1 × 1624) = 4848 ms
    assertEquals(1, r.choose(threeWorkers(), SMALL_EDIT_OF_T));
  }

  @Test
  @DisplayName(
      "cost routing with no template run to pay picks the lightest running batch, even with a longer queue")
  void costWithoutTemplateRuns() {
    Router r = new CostRouter(5, 0.1);
    RouteRequest fullRecompute = new RouteRequest("t", FULL, 20, 0, 0);
    List<WorkerView> views =
        List.of(
            view(0, List.of(member(600, 10)), 0, 0, Set.of()),
            view(1, List.of(member(100, 10)), 3, 3000, Set.of()));
    assertEquals(1, r.choose(views, fullRecompute));
  }

  @Test
  @DisplayName("cost routing avoids a full worker: its estimate adds the wait behind the queue")
  void costAvoidsFullWorker() {
    Router r = new CostRouter(5, 0.1);
    List<MemberLoad> eight = new ArrayList<>();
    for (int i = 0; i < 8; i++) eight.add(member(20, 10));
    List<WorkerView> views =
        List.of(
            view(0, eight, 4, 80, Set.of("t")),
            view(1, List.of(member(200, 10)), 0, 0, Set.of("t")));
    // worker 0: 20 × (5 + 0.1 × 260) = 620 ms, plus 5 × 620 / 8 = 387.5 → 1007.5;
    // worker 1: 20 × (5 + 0.1 × 300) = 700 ms
    assertEquals(1, r.choose(views, SMALL_EDIT_OF_T));
  }

  /** An idle worker that can read template "t" from {@code tier} (null: nowhere). */
  private static WorkerView idle(int worker, TierKind tier, Map<TierKind, Double> msPerSegment) {
    return new WorkerView(
        worker, List.of(), 0, 0, 8, tier == null ? Map.of() : Map.of("t", tier), msPerSegment);
  }

  /** Disk loads a segment in 1 ms, a peer in 3 ms. */
  private static final Map<TierKind, Double> LOADS =
      Map.of(TierKind.DISK, 1.0, TierKind.REMOTE, 3.0);

  @Test
  @DisplayName(
      "cost routing charges the template's load from the tier the worker reads it at: memory free, disk and another node per segment, absent the template run")
  void costPricesEachTier() {
    CostRouter r = new CostRouter(5, 0.1);
    // compute of the edit on an idle worker: 20 × (5 + 0.1 × 100) = 300 ms
    assertEquals(300, r.estimate(idle(0, TierKind.MEMORY, LOADS), SMALL_EDIT_OF_T), 1e-9);
    // disk: 160 segments × 1 ms
    assertEquals(460, r.estimate(idle(0, TierKind.DISK, LOADS), SMALL_EDIT_OF_T), 1e-9);
    // another node: 160 segments × 3 ms
    assertEquals(780, r.estimate(idle(0, TierKind.REMOTE, LOADS), SMALL_EDIT_OF_T), 1e-9);
    // nowhere: the template run, 20 × (5 + 0.1 × 1024) = 2148 ms
    assertEquals(2448, r.estimate(idle(0, null, LOADS), SMALL_EDIT_OF_T), 1e-9);

    List<WorkerView> views =
        new ArrayList<>(List.of(idle(0, null, LOADS), idle(1, TierKind.REMOTE, LOADS)));
    assertEquals(1, r.choose(views, SMALL_EDIT_OF_T), "a peer's copy beats a template run");
    views.add(idle(2, TierKind.DISK, LOADS));
    assertEquals(2, r.choose(views, SMALL_EDIT_OF_T), "the local disk beats a peer");
    views.add(idle(3, TierKind.MEMORY, LOADS));
    assertEquals(3, r.choose(views, SMALL_EDIT_OF_T), "memory beats the disk");
  }

  @Test
  @DisplayName(
      "cost routing charges the template run instead of a load that would cost more, or that the worker has no fit for")
  void costTakesTheCheaperOfLoadAndRun() {
    CostRouter r = new CostRouter(5, 0.1);
    // a slow peer: 160 × 20 ms = 3200 ms > the 2148 ms run
    Map<TierKind, Double> slow = Map.of(TierKind.REMOTE, 20.0);
    assertEquals(2448, r.estimate(idle(0, TierKind.REMOTE, slow), SMALL_EDIT_OF_T), 1e-9);
    // no disk fit reported (not calibrated yet): the run
    assertEquals(
        2448,
        r.estimate(idle(0, TierKind.DISK, Map.of(TierKind.REMOTE, 3.0)), SMALL_EDIT_OF_T),
        1e-9);
    // the run on a busy worker is dearer (its batch's tokens join the run's steps):
    // 20 × (5 + 0.1 × (400 + 1024)) = 2948, fetch 160 × 15 = 2400 → the fetch;
    // compute 20 × (5 + 0.1 × 500) = 1100
    WorkerView busy =
        new WorkerView(
            0,
            List.of(member(400, 10)),
            0,
            0,
            8,
            Map.of("t", TierKind.REMOTE),
            Map.of(TierKind.REMOTE, 15.0));
    assertEquals(3500, r.estimate(busy, SMALL_EDIT_OF_T), 1e-9);
    // with the cache off nothing is loaded or run first, whatever the tiers say
    RouteRequest cacheOff = new RouteRequest("t", 100, 20, 0, 0);
    assertEquals(300, r.estimate(idle(0, null, LOADS), cacheOff), 1e-9);
    assertEquals(300, r.estimate(idle(0, TierKind.REMOTE, slow), cacheOff), 1e-9);
  }

  @Test
  @DisplayName("Router.of builds the policy named by the configuration")
  void routerOf() {
    assertEquals(CostRouter.class, Router.of(Routing.COST, 1, 1).getClass());
    assertEquals(RoundRobinRouter.class, Router.of(Routing.ROUND_ROBIN, 1, 1).getClass());
    assertEquals(FewestRequestsRouter.class, Router.of(Routing.FEWEST_REQUESTS, 1, 1).getClass());
    assertEquals(
        FewestMaskedTokensRouter.class, Router.of(Routing.FEWEST_MASKED_TOKENS, 1, 1).getClass());
    assertEquals(Routing.FEWEST_MASKED_TOKENS, Routing.parse("Fewest_Masked_Tokens"));
    assertThrows(IllegalArgumentException.class, () -> Routing.parse("random"));
  }

  @Test
  @DisplayName("every policy fails loudly when there is no worker")
  void noWorkers() {
    for (Routing routing : Routing.values()) {
      assertThrows(
          IllegalStateException.class,
          () -> Router.of(routing, 1, 1).choose(List.of(), SMALL_EDIT_OF_T),
          routing.configName());
    }
  }

  @Test
  @DisplayName(
      "cost routing under srpt: a short edit goes to the worker whose one long member it would"
          + " preempt (est. 1×50 + 1×5 = 55 ms) rather than the one with three shorter members"
          + " ahead of it (1×110 + 5 = 115 ms); under fcfs the other way (555 vs 205 ms)")
  void srptAwareEstimate() {
    WorkerView oneLong =
        new WorkerView(0, List.of(new MemberLoad(100, 40)), 0, 0, 8, Map.of(), Map.of());
    WorkerView threeShort =
        new WorkerView(
            1,
            List.of(new MemberLoad(10, 2), new MemberLoad(10, 2), new MemberLoad(10, 2)),
            0,
            0,
            8,
            Map.of(),
            Map.of());
    RouteRequest shortEdit = new RouteRequest("t", 10, 5, 0, 0);
    CostRouter srpt = new CostRouter(1, 1, Scheduling.SRPT);
    CostRouter fcfs = new CostRouter(1, 1);
    assertEquals(55, srpt.estimate(oneLong, shortEdit), 1e-9);
    assertEquals(115, srpt.estimate(threeShort, shortEdit), 1e-9);
    assertEquals(555, fcfs.estimate(oneLong, shortEdit), 1e-9);
    assertEquals(205, fcfs.estimate(threeShort, shortEdit), 1e-9);
    assertEquals(0, srpt.choose(List.of(oneLong, threeShort), shortEdit));
    assertEquals(1, fcfs.choose(List.of(oneLong, threeShort), shortEdit));
  }
}
