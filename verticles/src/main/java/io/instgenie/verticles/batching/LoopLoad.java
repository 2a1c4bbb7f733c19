package io.instgenie.verticles.batching;

import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.MemberLoad;
import java.util.ArrayList;
import java.util.List;

/**
 * A step loop's load, for routing: per started member (computed rows per step, remaining steps),
 * the rows the last step computed (its members may be fewer than the started ones), and the
 * schedule to play forward for admission by estimate.
 */
public record LoopLoad(
    int queued, int runningMembers, List<MemberLoad> running, int lastStepRows, Forecast forecast) {
  static final LoopLoad IDLE = new LoopLoad(0, 0, List.of(), 0, Forecast.NONE);

  static LoopLoad of(StepBatch<Member> batch, int lastStepRows, Forecast forecast) {
    List<MemberLoad> r = new ArrayList<>();
    for (Member m : batch.running()) r.add(m.load());
    return new LoopLoad(batch.queued().size(), batch.running().size(), r, lastStepRows, forecast);
  }
}
