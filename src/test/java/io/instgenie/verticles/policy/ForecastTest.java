package io.instgenie.verticles.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.messages.DeadlineUnmet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Admission by estimate on hand-computed queues: a newcomer's ETA played forward under the policy,
 * and the decision against its timeout.
 */
class ForecastTest {
  private static final long NONE = Long.MAX_VALUE;

  private static StepWork w(int rows, int steps) {
    return new StepWork(rows, steps, NONE, Priority.INTERACTIVE);
  }

  /**
   * One member per step at 2 ms a row: a started member A of 10 rows with 3 steps left, then B
   * queued, 5 rows × 2 steps.
   */
  private static Forecast queue(Scheduling s) {
    return new Forecast(
        List.of(new Forecast.Pending(w(10, 3), 0), new Forecast.Pending(w(5, 2), 0)),
        s,
        1000,
        StepBudget.members(1),
        2);
  }

  @Test
  @DisplayName(
      "a fixed part of 5 ms a step: the fcfs queue's 7 steps add 35 ms (ETA 131 ms); under srpt the"
          + " newcomer (8 rows left, the least) runs first: 2 × (4 rows × 2 ms + 5) = 26 ms")
  void fixedPartPerStep() {
    List<Forecast.Pending> q =
        List.of(new Forecast.Pending(w(10, 3), 0), new Forecast.Pending(w(5, 2), 0));
    Forecast fcfs = new Forecast(q, Scheduling.FCFS, 1000, StepBudget.members(1), 2, 5);
    assertEquals(96 + 7 * 5, fcfs.etaMs(w(4, 2)), 1e-9);
    Forecast srpt = new Forecast(q, Scheduling.SRPT, 1000, StepBudget.members(1), 2, 5);
    assertEquals(2 * (4 * 2 + 5), srpt.etaMs(w(4, 2)), 1e-9);
  }

  @Test
  @DisplayName(
      "fcfs, one member a step, 2 ms a row: A 3×10 rows (60 ms), B 2×5 (20 ms), then the newcomer"
          + " 2×4 (16 ms): ETA 96 ms; a timeout of 95 ms is refused, 96 ms admitted")
  void fcfsBehindTheQueue() {
    double eta = queue(Scheduling.FCFS).etaMs(w(4, 2));
    assertEquals(96.0, eta, 1e-9);
    assertTrue(DeadlineUnmet.misses(eta, 95));
    assertFalse(DeadlineUnmet.misses(eta, 96));
  }

  @Test
  @DisplayName(
      "srpt, the same queue: the newcomer's 8 remaining rows rank before B's 10 and A's 30, so it"
          + " runs first: ETA 16 ms")
  void srptAhead() {
    assertEquals(16.0, queue(Scheduling.SRPT).etaMs(w(4, 2)), 1e-9);
  }

  @Test
  @DisplayName(
      "edf: a newcomer due before everyone runs first (16 ms); without a deadline it runs last"
          + " (96 ms)")
  void edfByDeadline() {
    Forecast f = queue(Scheduling.EDF);
    assertEquals(16.0, f.etaMs(new StepWork(4, 2, 1_000, Priority.INTERACTIVE)), 1e-9);
    assertEquals(96.0, f.etaMs(w(4, 2)), 1e-9);
  }

  @Test
  @DisplayName(
      "max 2 members a step, no row limit, fcfs: steps of A+B (30 ms), A+B (30), A+C (28), C (8):"
          + " the newcomer C of 4 rows × 2 steps ends at 96 ms")
  void sharedSteps() {
    Forecast f =
        new Forecast(
            queue(Scheduling.FCFS).pending(), Scheduling.FCFS, 1000, StepBudget.members(2), 2);
    // step 1: A(10)+B(5) = 30 ms; step 2: A+B = 30 (B done); step 3: A+C = 28 (A done);
    // step 4: C = 8 → 96
    assertEquals(96.0, f.etaMs(w(4, 2)), 1e-9);
  }

  @Test
  @DisplayName("nothing measured yet: no estimate (NaN), and no estimate never refuses")
  void unmeasured() {
    double eta = Forecast.NONE.etaMs(w(4, 2));
    assertTrue(Double.isNaN(eta));
    assertFalse(DeadlineUnmet.misses(eta, 1));
  }
}
