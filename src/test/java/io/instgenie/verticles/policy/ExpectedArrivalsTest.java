package io.instgenie.verticles.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a worker expects from its recent arrivals, and projections with those arrivals in. */
class ExpectedArrivalsTest {
  private static final long NONE = Long.MAX_VALUE;

  private static StepWork work(int rows, int steps) {
    return new StepWork(rows, steps, NONE, Priority.INTERACTIVE);
  }

  @Test
  @DisplayName(
      "the gap is the mean between recent arrivals, stretched by a longer silence; fewer than 4"
          + " or older than 30 s expect nothing")
  void gapAndWindow() {
    ExpectedArrivals e = new ExpectedArrivals();
    for (int i = 0; i < 3; i++) e.arrived(1_000 + 100L * i, work(10, 2));
    assertFalse(e.ahead(1_200).any(), "3 arrivals are too few");
    e.arrived(1_300, work(20, 1));
    ExpectedArrivals.Ahead a = e.ahead(1_300);
    assertTrue(a.any());
    assertEquals(100.0, a.gapMs(), 1e-9, "300 ms over 3 gaps");
    assertEquals(300.0, a.atMs(3), 1e-9);
    assertEquals(work(10, 2), a.work(1), "the works in turn, oldest first");
    assertEquals(work(20, 1), a.work(4));
    assertEquals(work(10, 2), a.work(5));
    assertEquals(400.0, e.ahead(1_700).gapMs(), 1e-9, "400 ms of silence since the last");
    assertFalse(e.ahead(1_000 + 30_001 + 300).any(), "all older than 30 s");
    for (int i = 0; i < 40; i++) e.arrived(50_000 + 10L * i, work(1, 1));
    assertEquals(10.0, e.ahead(50_390).gapMs(), 1e-9, "the last 32 only");
  }

  @Test
  @DisplayName("an expected arrival's deadline is as far from its arrival as the original's was")
  void deadlinesMove() {
    ExpectedArrivals e = new ExpectedArrivals();
    for (int i = 0; i < 4; i++)
      e.arrived(1_000 + 50L * i, new StepWork(5, 3, 1_000 + 50L * i + 700, Priority.BATCH));
    ExpectedArrivals.Ahead a = e.ahead(1_150); // gap 50
    assertEquals(1_150 + 50 + 700, a.work(1).deadlineMs());
    assertEquals(1_150 + 150 + 700, a.work(3).deadlineMs());
    assertEquals(Priority.BATCH, a.work(2).priority());
  }

  @Test
  @DisplayName(
      "fcfs at 1 ms a row: a (10 rows × 3 steps) alone ends at 30 ms; an arrival of 10 × 3 every"
          + " 15 ms shares its steps from 20 ms on: 10 + 10 + 20 = 40 ms; srpt lets a shorter one"
          + " (10 × 1 at 5 ms) go first")
  void projectionWithArrivals() {
    List<StepCandidate<String>> cs = List.of(new StepCandidate<>("a", work(10, 3), 0, 0));
    ExpectedArrivals.Ahead every15 = new ExpectedArrivals.Ahead(15, List.of(work(10, 3)), 0);
    Map<String, Double> alone =
        StepProjection.finishMs(cs, StepPolicy.FCFS, StepBudget.members(8), 0, 1);
    assertEquals(30.0, alone.get("a"));
    // steps end at 10 and 20 ms; the first arrival (15 ms) joins the third step: 20 rows
    Map<String, Double> shared =
        StepProjection.finishMs(cs, StepPolicy.FCFS, StepBudget.members(8), 0, 1, every15);
    assertEquals(40.0, shared.get("a"));
    assertEquals(1, shared.size(), "expected arrivals are not in the answer");
    ExpectedArrivals.Ahead short5 = new ExpectedArrivals.Ahead(5, List.of(work(10, 1)), 0);
    Map<String, Double> srpt =
        StepProjection.finishMs(
            cs,
            new StepPolicy(Scheduling.SRPT, 1_000), // no aging within this projection
            StepBudget.members(1),
            0,
            1,
            short5);
    // one member a step: a's first step (0–10); the arrivals of 5 and 10 ms run at 10–20 and
    // 20–30; then one arrives every 5 ms, each shorter than a's 20 rows left, until 64 have come
    // (320 ms); a's remaining 2 steps run after them
    assertTrue(srpt.get("a") > 300, "a waits behind the expected short edits: " + srpt.get("a"));
    assertEquals(10.0 * (1 + ExpectedArrivals.MAX_AHEAD + 2), srpt.get("a"), 1e-9);
  }
}
