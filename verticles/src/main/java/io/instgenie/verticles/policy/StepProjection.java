package io.instgenie.verticles.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When each member would finish if nothing else arrived: the worker's steps played forward with the
 * same policy and budget, each step costing {@code msPerStepBase + msPerRow × its rows}. The ETA of
 * {@code queued} and {@code step} events, and what admission by estimate compares with a deadline.
 * Plain Java.
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
    Map<M, Double> out = new IdentityHashMap<>();
    List<StepCandidate<M>> live = new ArrayList<>();
    for (StepCandidate<M> c : candidates) {
      if (c.work().remainingSteps() > 0) live.add(c);
      else out.put(c.member(), 0.0);
    }
    double now = 0;
    while (!live.isEmpty()) {
      // a set: the projection replays every step of the queue, so a list's contains would make it
      // quadratic in the members
      Set<M> picked = Collections.newSetFromMap(new IdentityHashMap<>());
      picked.addAll(policy.pick(live, budget));
      long rows = 0;
      List<StepCandidate<M>> next = new ArrayList<>(live.size());
      for (StepCandidate<M> c : live) {
        if (picked.contains(c.member())) rows += c.work().rows();
      }
      now += msPerStepBase + msPerRow * rows;
      for (StepCandidate<M> c : live) {
        StepWork w = c.work();
        if (!picked.contains(c.member())) {
          next.add(new StepCandidate<>(c.member(), w, c.order(), c.waitedSteps() + 1));
        } else if (w.remainingSteps() == 1) {
          out.put(c.member(), now);
        } else {
          next.add(new StepCandidate<>(c.member(), w.afterStep(), c.order(), 0));
        }
      }
      live = next;
    }
    return out;
  }
}
