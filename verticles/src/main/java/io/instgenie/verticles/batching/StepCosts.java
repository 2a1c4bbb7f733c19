package io.instgenie.verticles.batching;

import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.StepCandidate;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.policy.StepProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A step loop's measured cost per computed row (an exponential moving average over steps) and the
 * end times it projects for the members; used on the loop's thread only.
 */
final class StepCosts {
  /** Measured step time per computed row (EMA; -1 until a step ran): the projection's cost. */
  private double msPerRow = -1;

  /** Records a step of {@code stepMs} that computed {@code rows} rows (ignored when none). */
  void measured(double stepMs, int rows) {
    if (rows > 0) msPerRow = msPerRow < 0 ? stepMs / rows : 0.8 * msPerRow + 0.2 * stepMs / rows;
  }

  /**
   * Each started or queued member's projected end (ms from now): the steps played forward with the
   * batch's policy and budget at the measured ms per computed row ({@link StepProjection}); empty
   * until a step was measured.
   */
  Map<Member, Double> projectEnds(StepBatch<Member> batch, LoopAdmission admission) {
    if (msPerRow < 0) return Map.of();
    return StepProjection.finishMs(
        batch.candidates(admission), batch.policy(), batch.budget(), 0, msPerRow);
  }

  /**
   * The started and queued members' work in first-come order, with the policy in force: what the
   * balancer plays forward for admission by estimate (the same projection as {@link #projectEnds}).
   */
  Forecast forecast(StepBatch<Member> batch, LoopAdmission admission) {
    List<Forecast.Pending> pending = new ArrayList<>();
    for (StepCandidate<Member> c : batch.candidates(admission))
      pending.add(new Forecast.Pending(c.work(), c.waitedSteps()));
    StepPolicy p = batch.policy();
    return new Forecast(
        pending, p.scheduling(), p.agingSteps(), batch.budget(), Math.max(msPerRow, 0));
  }

  /** The rows {@code members} compute in one step. */
  static int rows(List<Member> members) {
    int n = 0;
    for (Member m : members) n += m.load().rowsPerStep();
    return n;
  }
}
