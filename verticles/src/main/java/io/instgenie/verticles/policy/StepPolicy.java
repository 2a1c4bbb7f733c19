package io.instgenie.verticles.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which members a worker's step runs: the candidates ranked, then taken in rank order while they
 * fit the {@link StepBudget} (one that does not fit is passed over for a smaller one behind it).
 *
 * <p>The rank, first key first:
 *
 * <ol>
 *   <li>the <em>level</em>: the priority class's rank ({@code interactive} 0, {@code batch} 1) less
 *       one for every {@code agingSteps} worker steps the member has waited since it last ran (or
 *       was queued), never below −1 (never below 0 under {@code fcfs}, which has no starving
 *       members: its order alone decides within a class). Level −1 is <em>starving</em>: starving
 *       members go first, the longest-waiting first;
 *   <li>the policy's key: {@code fcfs} none, {@code srpt} remaining rows (remaining steps × rows
 *       per step), {@code edf} the deadline (none: last);
 *   <li>the first-come order (started members before queued ones), so ties never preempt.
 * </ol>
 *
 * <p>Starvation bound ({@code srpt}, {@code edf}): a member of class rank c starves after {@code
 * agingSteps × (c + 1)} worker steps without running; the longest-waiting starving member always
 * runs (the first member a step takes always fits), so a member alone in starving waits at most
 * that many steps between two of its steps, whatever arrives. Under {@code fcfs} a started member
 * is never preempted by one of its class, and aging lifts a batch member to interactive. Plain
 * Java: the step loop and the simulator rank with it.
 */
public final class StepPolicy {
  /**
   * Steps a member waits before it climbs one class (see the class comment). 256 rather than fewer:
   * a starving member that jumps the queue early delays every short edit behind it. In the
   * simulator (this CPU's fit, 0.9 load, steps 5–40, 2,000 requests, seeds 1–5) srpt's mean was
   * 1.57x lower than static batching's with 256 and 1.56x with 64 (P95 alike, 0.61–0.85x static's)
   * on a model without full steps, but with the then bundled model's quality knob (6 full steps of
   * 20, so a 40-step edit's first 12 steps compute every token) 1.91x lower with 256 and 0.78x —
   * worse than static — with 64 (P95 1.49–1.61x against 1.87–2.24x static's); edf 0.96x against
   * 0.70x. Earlier, without full steps and with 400 requests, 16 had P95 up to 1.77x static's, 64
   * at most 1.16x; on the flat-step device they were alike (3.7–5.3x).
   */
  public static final int DEFAULT_AGING_STEPS = 256;

  /** Today's behaviour: first come, first served, with the default aging. */
  public static final StepPolicy FCFS = new StepPolicy(Scheduling.FCFS, DEFAULT_AGING_STEPS);

  private final Scheduling scheduling;
  private final int agingSteps;

  public StepPolicy(Scheduling scheduling, int agingSteps) {
    if (scheduling == null) throw new IllegalArgumentException("scheduling must be set");
    if (agingSteps < 1)
      throw new IllegalArgumentException("aging steps must be >= 1, got " + agingSteps);
    this.scheduling = scheduling;
    this.agingSteps = agingSteps;
  }

  public Scheduling scheduling() {
    return scheduling;
  }

  public int agingSteps() {
    return agingSteps;
  }

  /**
   * The most steps a member of {@code p} waits between two of its steps (see the class comment).
   */
  public long starvationBound(Priority p) {
    return (long) agingSteps * (p.rank() + 1);
  }

  /**
   * The member's class after aging: its priority's rank less its aging, at least −1 (starving); at
   * least 0 under {@code fcfs}, which never preempts a member of the same class.
   */
  public int level(StepCandidate<?> c) {
    long aged = c.waitedSteps() / agingSteps;
    int floor = scheduling == Scheduling.FCFS ? 0 : -1;
    return (int) Math.max(floor, c.work().priority().rank() - aged);
  }

  /** The policy's own key (lower first). */
  long key(StepWork w) {
    return switch (scheduling) {
      case FCFS -> 0;
      case SRPT -> w.remainingRows();
      case EDF -> w.deadlineMs();
    };
  }

  /** The rank order of candidates: first runs first. */
  public <M> Comparator<StepCandidate<M>> order() {
    return (a, b) -> {
      int la = level(a);
      int lb = level(b);
      if (la != lb) return Integer.compare(la, lb);
      if (la < 0 && a.waitedSteps() != b.waitedSteps())
        return Long.compare(b.waitedSteps(), a.waitedSteps());
      int k = Long.compare(key(a.work()), key(b.work()));
      return k != 0 ? k : Long.compare(a.order(), b.order());
    };
  }

  /** The candidates in rank order (a new list). */
  public <M> List<StepCandidate<M>> rank(List<StepCandidate<M>> candidates) {
    List<StepCandidate<M>> out = new ArrayList<>(candidates);
    out.sort(order());
    return out;
  }

  /**
   * The members one step runs: in rank order, each that fits the budget beside those taken (a
   * member below the interactive level, in a step that already carries interactive-level work,
   * within the budget's shared rows).
   */
  public <M> List<M> pick(List<StepCandidate<M>> candidates, StepBudget budget) {
    List<M> out = new ArrayList<>();
    StepFill fill = new StepFill(this, budget);
    for (StepCandidate<M> c : rank(candidates)) {
      if (fill.full()) break;
      if (!fill.fits(c, c.work().rows())) continue;
      out.add(c.member());
      fill.take(c, c.work().rows());
    }
    return out;
  }

  /** Whether {@code c} runs at the interactive level or above (aging included). */
  boolean interactive(StepCandidate<?> c) {
    return level(c) <= Priority.INTERACTIVE.rank();
  }
}
