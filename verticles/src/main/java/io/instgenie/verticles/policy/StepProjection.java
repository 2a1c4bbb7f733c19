package io.instgenie.verticles.policy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * When each member would finish: the worker's steps played forward with the same policy and budget,
 * each step costing {@code msPerStepBase + msPerRow × its rows}, with the arrivals the worker
 * expects ({@link ExpectedArrivals}) joining as the projection's clock passes them, after every
 * member present in first-come order. The ETA of {@code queued} and {@code step} events, and what
 * admission by estimate compares with a deadline. Plain Java.
 */
public final class StepProjection {
  private StepProjection() {}

  /** Ms from now until each candidate's last step ends (0 for one with no step left). */
  public static <M> Map<M, Double> finishMs(
      List<StepCandidate<M>> candidates,
      StepPolicy policy,
      StepBudget budget,
      double msPerStepBase,
      double msPerRow) {
    return finishMs(
        candidates, policy, budget, msPerStepBase, msPerRow, ExpectedArrivals.Ahead.NONE);
  }

  /**
   * As above, with {@code expected} arrivals (at most {@link ExpectedArrivals#MAX_AHEAD}) playing
   * in; they end no member's projection themselves and are not in the answer.
   */
  @SuppressWarnings("unchecked")
  public static <M> Map<M, Double> finishMs(
      List<StepCandidate<M>> candidates,
      StepPolicy policy,
      StepBudget budget,
      double msPerStepBase,
      double msPerRow,
      ExpectedArrivals.Ahead expected) {
    Map<M, Double> out = new IdentityHashMap<>();
    List<StepCandidate<Object>> live = new ArrayList<>();
    long order = 0;
    int present = 0;
    for (StepCandidate<M> c : candidates) {
      order = Math.max(order, c.order() + 1);
      if (c.work().remainingSteps() > 0) {
        live.add(new StepCandidate<>(c.member(), c.work(), c.order(), c.waitedSteps()));
        present++;
      } else {
        out.put(c.member(), 0.0);
      }
    }
    Map<Object, Boolean> injected = new IdentityHashMap<>();
    int k = 1;
    double now = 0;
    while (present > 0) {
      while (expected.any() && k <= ExpectedArrivals.MAX_AHEAD && expected.atMs(k) <= now) {
        Object newcomer = new Object();
        injected.put(newcomer, true);
        live.add(new StepCandidate<>(newcomer, expected.work(k), order++, 0));
        k++;
      }
      List<Object> picked = policy.pick(live, budget);
      long rows = 0;
      List<StepCandidate<Object>> next = new ArrayList<>(live.size());
      for (StepCandidate<Object> c : live) {
        if (picked.contains(c.member())) rows += c.work().rows();
      }
      now += msPerStepBase + msPerRow * rows;
      for (StepCandidate<Object> c : live) {
        StepWork w = c.work();
        if (!picked.contains(c.member())) {
          next.add(new StepCandidate<>(c.member(), w, c.order(), c.waitedSteps() + 1));
        } else if (w.remainingSteps() == 1) {
          if (!injected.containsKey(c.member())) {
            out.put((M) c.member(), now);
            present--;
          }
        } else {
          next.add(new StepCandidate<>(c.member(), w.afterStep(), c.order(), 0));
        }
      }
      live = next;
    }
    return out;
  }
}
