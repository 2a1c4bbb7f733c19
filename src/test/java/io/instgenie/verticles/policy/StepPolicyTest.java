package io.instgenie.verticles.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each policy's choice on hand-computed batches. */
class StepPolicyTest {
  private static final long NONE = Long.MAX_VALUE;

  /** A candidate named {@code name}: rows per step, remaining steps, deadline, class, waited. */
  private static StepCandidate<String> c(
      String name, int rows, int left, long deadline, Priority p, long order, long waited) {
    return new StepCandidate<>(name, new StepWork(rows, left, deadline, p), order, waited);
  }

  private static StepCandidate<String> c(String name, int rows, int left, long order) {
    return c(name, rows, left, NONE, Priority.INTERACTIVE, order, 0);
  }

  /** a: 10 rows × 20 steps = 200; b: 30 × 2 = 60; c: 5 × 30 = 150; d: 40 × 1 = 40. */
  private static final List<StepCandidate<String>> ABCD =
      List.of(c("a", 10, 20, 0), c("b", 30, 2, 1), c("c", 5, 30, 2), c("d", 40, 1, 3));

  @Test
  @DisplayName("fcfs takes the first-come order up to max members")
  void fcfsOrder() {
    StepPolicy p = new StepPolicy(Scheduling.FCFS, 16);
    assertEquals(List.of("a", "b", "c"), p.pick(ABCD, StepBudget.members(3)));
  }

  @Test
  @DisplayName("srpt: least remaining rows first: d (40), b (60), c (150), a (200)")
  void srptOrder() {
    StepPolicy p = new StepPolicy(Scheduling.SRPT, 16);
    assertEquals(List.of("d", "b", "c", "a"), p.pick(ABCD, StepBudget.members(4)));
    assertEquals(List.of("d", "b"), p.pick(ABCD, StepBudget.members(2)));
  }

  @Test
  @DisplayName(
      "a row budget of 50: srpt takes d (40 rows), passes b (30: 70), takes c (5: 45), passes a"
          + " (10: 55)")
  void rowBudget() {
    StepPolicy p = new StepPolicy(Scheduling.SRPT, 16);
    // rank d, b, c, a: d 40; b 30 → 70 > 50 passed; c 5 → 45; a 10 → 55 > 50 passed
    assertEquals(List.of("d", "c"), p.pick(ABCD, new StepBudget(8, 50)));
    // the first member always fits, however many rows
    assertEquals(List.of("d"), p.pick(ABCD, new StepBudget(8, 10)));
  }

  @Test
  @DisplayName(
      "shared rows 100: beside interactive i (60 rows) srpt takes batch x (30: 90) and passes"
          + " batch y (50: 140); without i it takes both; an aged batch member is not bounded")
  void sharedRows() {
    StepPolicy p = new StepPolicy(Scheduling.SRPT, 16);
    StepBudget shared = new StepBudget(8, NONE, 100);
    StepCandidate<String> i = c("i", 60, 20, NONE, Priority.INTERACTIVE, 0, 0);
    StepCandidate<String> x = c("x", 30, 1, NONE, Priority.BATCH, 1, 0);
    StepCandidate<String> y = c("y", 50, 1, NONE, Priority.BATCH, 2, 0);
    assertEquals(List.of("i", "x"), p.pick(List.of(i, x, y), shared));
    assertEquals(List.of("x", "y"), p.pick(List.of(x, y), shared), "no interactive work: no cap");
    // y waited 16 steps: it climbed to the interactive level, so the cap no longer binds it
    StepCandidate<String> agedY = c("y", 50, 1, NONE, Priority.BATCH, 2, 16);
    // (rank: y 50 and i 1200 at level 0, then x; x beside them passes the cap, 110 + 30 > 100)
    assertEquals(List.of("y", "i"), p.pick(List.of(i, x, agedY), shared));
  }

  @Test
  @DisplayName("edf: earliest deadline first, members without one last in first-come order")
  void edfOrder() {
    StepPolicy p = new StepPolicy(Scheduling.EDF, 16);
    List<StepCandidate<String>> cs =
        List.of(
            c("a", 1, 1, NONE, Priority.INTERACTIVE, 0, 0),
            c("b", 1, 1, 5_000, Priority.INTERACTIVE, 1, 0),
            c("c", 1, 1, 2_000, Priority.INTERACTIVE, 2, 0),
            c("d", 1, 1, NONE, Priority.INTERACTIVE, 3, 0));
    assertEquals(List.of("c", "b", "a", "d"), p.pick(cs, StepBudget.members(4)));
  }

  @Test
  @DisplayName(
      "interactive ranks before batch under every policy; a batch member that waited 16 steps"
          + " competes as interactive, one that waited 32 starves and goes first")
  void classesAndAging() {
    StepPolicy p = new StepPolicy(Scheduling.SRPT, 16);
    StepCandidate<String> longI = c("longI", 10, 30, NONE, Priority.INTERACTIVE, 0, 0);
    StepCandidate<String> shortB = c("shortB", 10, 1, NONE, Priority.BATCH, 1, 0);
    assertEquals(List.of("longI", "shortB"), p.pick(List.of(longI, shortB), StepBudget.members(2)));
    StepCandidate<String> agedB = c("agedB", 10, 1, NONE, Priority.BATCH, 1, 16);
    assertEquals(1 - 1, p.level(agedB));
    assertEquals(List.of("agedB", "longI"), p.pick(List.of(longI, agedB), StepBudget.members(2)));
    // starving: level -1, before a shorter fresh interactive member
    StepCandidate<String> starvingB = c("starvingB", 10, 50, NONE, Priority.BATCH, 1, 32);
    StepCandidate<String> shortI = c("shortI", 1, 1, NONE, Priority.INTERACTIVE, 2, 0);
    assertEquals(-1, p.level(starvingB));
    assertEquals(List.of("starvingB"), p.pick(List.of(shortI, starvingB), StepBudget.members(1)));
    assertEquals(32, p.starvationBound(Priority.BATCH));
    assertEquals(16, p.starvationBound(Priority.INTERACTIVE));
  }

  @Test
  @DisplayName("starving members go longest-waiting first, whatever their remaining work")
  void starvingLongestWaitFirst() {
    StepPolicy p = new StepPolicy(Scheduling.SRPT, 4);
    List<StepCandidate<String>> cs =
        List.of(
            c("x", 1, 1, NONE, Priority.INTERACTIVE, 0, 5),
            c("y", 9, 9, NONE, Priority.INTERACTIVE, 1, 7),
            c("z", 1, 1, NONE, Priority.INTERACTIVE, 2, 0));
    assertEquals(List.of("y", "x", "z"), p.pick(cs, StepBudget.members(3)));
  }

  @Test
  @DisplayName("fcfs never starves within a class: aging lifts batch to interactive, no further")
  void fcfsNoStarvingLevel() {
    StepPolicy p = new StepPolicy(Scheduling.FCFS, 4);
    StepCandidate<String> running = c("running", 1, 9, NONE, Priority.INTERACTIVE, 0, 0);
    StepCandidate<String> queued = c("queued", 1, 1, NONE, Priority.INTERACTIVE, 1, 100);
    assertEquals(0, p.level(queued));
    assertEquals(List.of("running"), p.pick(List.of(queued, running), StepBudget.members(1)));
  }

  @Test
  @DisplayName("bad settings are refused with a message")
  void badSettings() {
    assertThrows(IllegalArgumentException.class, () -> new StepPolicy(Scheduling.SRPT, 0));
    assertThrows(IllegalArgumentException.class, () -> new StepBudget(0, 10));
    assertThrows(IllegalArgumentException.class, () -> Scheduling.parse("lifo"));
    assertThrows(IllegalArgumentException.class, () -> Priority.parse("urgent"));
    assertEquals(Scheduling.SRPT, Scheduling.parse(" SRPT "));
    assertEquals(Priority.BATCH, Priority.parse("batch"));
  }

  @Test
  @DisplayName(
      "projected ends at 1 ms a row: srpt one member a step runs b (10) then a (3 × 10): 10 and"
          + " 40 ms; fcfs both each step: b at 20, a at 20 + 10 + 10 = 40 ms")
  void projection() {
    List<StepCandidate<String>> cs = List.of(c("a", 10, 3, 0), c("b", 10, 1, 1));
    java.util.Map<String, Double> srpt =
        StepProjection.finishMs(
            cs, new StepPolicy(Scheduling.SRPT, 16), StepBudget.members(1), 0, 1);
    assertEquals(10.0, srpt.get("b"));
    assertEquals(40.0, srpt.get("a"));
    java.util.Map<String, Double> fcfs =
        StepProjection.finishMs(cs, StepPolicy.FCFS, StepBudget.members(8), 0, 1);
    assertEquals(20.0, fcfs.get("b"));
    assertEquals(40.0, fcfs.get("a"));
    // a fixed cost per step counts once per step: srpt runs 4 steps
    java.util.Map<String, Double> based =
        StepProjection.finishMs(
            cs, new StepPolicy(Scheduling.SRPT, 16), StepBudget.members(1), 5, 1);
    assertEquals(60.0, based.get("a"));
  }

  @Test
  @DisplayName(
      "an edit in its full steps: 512 rows for 2 more steps, then 80 rows for 10 = 1,824 rows left,"
          + " ranked by srpt before a uniform 80 × 30 = 2,400 (its present rows for every step left"
          + " would have been 6,144)")
  void phasedWork() {
    StepWork full = new StepWork(512, 12, NONE, Priority.INTERACTIVE, 2, 80);
    assertEquals(1824, full.remainingRows());
    StepWork next = full.afterStep();
    assertEquals(512, next.rows());
    assertEquals(512 + 10 * 80, next.remainingRows());
    StepWork later = next.afterStep();
    assertEquals(80, later.rows(), "the full steps over: masked rows from now on");
    assertEquals(10 * 80, later.remainingRows());
    assertEquals(80, new StepWork(512, 5, NONE, Priority.BATCH, 0, 80).rows());
    List<StepCandidate<String>> cs =
        List.of(
            new StepCandidate<>("uniform", new StepWork(80, 30, NONE, Priority.INTERACTIVE), 0, 0),
            new StepCandidate<>("full", full, 1, 0));
    assertEquals(
        List.of("full"), new StepPolicy(Scheduling.SRPT, 16).pick(cs, StepBudget.members(1)));
  }

  @Test
  @DisplayName(
      "the projection plays an edit's full steps at their own rows: 2 steps of 512 rows, then 3 of"
          + " 80, at 1 ms a step + 0.01 ms a row: 2 × 6.12 + 3 × 1.8 = 17.64 ms")
  void phasedProjection() {
    List<StepCandidate<String>> cs =
        List.of(
            new StepCandidate<>(
                "e", new StepWork(512, 5, NONE, Priority.INTERACTIVE, 2, 80), 0, 0));
    double ms =
        StepProjection.finishMs(cs, StepPolicy.FCFS, StepBudget.members(8), 1, 0.01).get("e");
    assertEquals(2 * 6.12 + 3 * 1.8, ms, 1e-9);
  }
}
