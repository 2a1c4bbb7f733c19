package io.instgenie.verticles.batching;

import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.StepCandidate;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.policy.StepProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A step loop's measured step cost, {@code msPerStep + msPerRow × rows}, and the end times it
 * projects for the members; used on the loop's thread only. The two parts are a least-squares fit
 * over the recent steps (each older step weighs {@link #DECAY} as much as the next): a step's time
 * has a fixed part that a cost per row alone would spread over small and large steps alike, making
 * the ETA of the last, small steps of a queue too short and of large ones too long. While every
 * recent step had the same rows, or the fit's fixed part would be negative, it is a cost per row
 * alone.
 */
final class StepCosts {
  /** The weight of a step against the next one's. */
  static final double DECAY = 0.95;

  /** Measured step time per computed row (-1 until a step ran): the projection's cost. */
  private double msPerRow = -1;

  /** The fixed part of a step's time (0 when the fit has none). */
  private double msPerStep;

  /** Weighted sums over steps: weights, rows, ms, rows², rows·ms. */
  private double w;

  private double sx;
  private double sy;
  private double sxx;
  private double sxy;

  /** Records a step of {@code stepMs} that computed {@code rows} rows (ignored when none). */
  void measured(double stepMs, int rows) {
    if (rows <= 0) return;
    w = DECAY * w + 1;
    sx = DECAY * sx + rows;
    sy = DECAY * sy + stepMs;
    sxx = DECAY * sxx + (double) rows * rows;
    sxy = DECAY * sxy + rows * stepMs;
    double mx = sx / w;
    double my = sy / w;
    double var = sxx / w - mx * mx;
    double cov = sxy / w - mx * my;
    double slope = var > 1e-6 * mx * mx && cov > 0 ? cov / var : -1;
    double base = slope > 0 ? my - slope * mx : -1;
    if (base < 0) {
      slope = my / mx;
      base = 0;
    }
    msPerRow = slope;
    msPerStep = base;
  }

  double msPerRow() {
    return msPerRow;
  }

  double msPerStep() {
    return msPerStep;
  }

  /**
   * Each started or queued member's projected end (ms from now): the steps played forward with the
   * batch's policy and budget at the measured step cost ({@link StepProjection}); empty until a
   * step was measured.
   */
  Map<Member, Double> projectEnds(StepBatch<Member> batch, LoopAdmission admission) {
    if (msPerRow < 0) return Map.of();
    return StepProjection.finishMs(
        batch.candidates(admission), batch.policy(), batch.budget(), msPerStep, msPerRow);
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
        pending, p.scheduling(), p.agingSteps(), batch.budget(), Math.max(msPerRow, 0), msPerStep);
  }

  /** The rows {@code members} compute in one step. */
  static int rows(List<Member> members) {
    int n = 0;
    for (Member m : members) n += m.load().rowsPerStep();
    return n;
  }
}
