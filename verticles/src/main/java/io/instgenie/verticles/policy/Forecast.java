package io.instgenie.verticles.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A worker's step schedule as of its last report, enough to play it forward: every started and
 * queued member's work in first-come order with the steps it has waited, the policy and budget its
 * steps are chosen by, and the measured ms per computed row. {@link #etaMs} is the ETA a newcomer
 * would get in its first {@code queued} event ({@link StepProjection}, the same rules): admission
 * by estimate compares it with the request's {@code timeout_ms}. Plain Java; crosses the wire in a
 * worker's report.
 *
 * @param msPerRow measured step time per computed row; 0 or less: nothing measured yet (no
 *     estimate)
 * @param msPerStep the measured fixed part of a step's time (0: none)
 */
public record Forecast(
    List<Pending> pending,
    Scheduling scheduling,
    int agingSteps,
    StepBudget budget,
    double msPerRow,
    double msPerStep) {
  /** One started or queued member: its work and the worker steps it has waited. */
  public record Pending(StepWork work, long waitedSteps) {
    public Pending {
      Objects.requireNonNull(work, "work");
    }
  }

  /** No schedule known: {@link #etaMs} is NaN. */
  public static final Forecast NONE =
      new Forecast(
          List.of(), Scheduling.FCFS, StepPolicy.DEFAULT_AGING_STEPS, StepBudget.members(1), 0, 0);

  /** A schedule whose steps cost {@code msPerRow} per computed row and nothing fixed. */
  public Forecast(
      List<Pending> pending,
      Scheduling scheduling,
      int agingSteps,
      StepBudget budget,
      double msPerRow) {
    this(pending, scheduling, agingSteps, budget, msPerRow, 0);
  }

  public Forecast {
    pending = List.copyOf(pending);
    Objects.requireNonNull(scheduling, "scheduling");
    Objects.requireNonNull(budget, "budget");
  }

  /** True when a step time was measured, so {@link #etaMs} estimates. */
  public boolean measured() {
    return msPerRow > 0;
  }

  /**
   * Ms from the report until a newcomer of {@code work}, queued behind every pending member, would
   * end if nothing else arrived; NaN when nothing was measured.
   */
  public double etaMs(StepWork work) {
    if (!measured()) return Double.NaN;
    if (work.remainingSteps() == 0) return 0;
    List<StepCandidate<Object>> candidates = new ArrayList<>(pending.size() + 1);
    long order = 0;
    for (Pending p : pending)
      candidates.add(new StepCandidate<>(new Object(), p.work(), order++, p.waitedSteps()));
    Object newcomer = new Object();
    candidates.add(new StepCandidate<>(newcomer, work, order, 0));
    return StepProjection.finishMs(
            candidates, new StepPolicy(scheduling, agingSteps), budget, msPerStep, msPerRow)
        .get(newcomer);
  }
}
