package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.policy.Scheduling;

/**
 * The row budget of a step when {@code max_step_tokens} is 0 (auto): none under {@code fcfs} (as
 * before step scheduling: every member that has started runs each step, up to {@code max_batch});
 * under {@code srpt} and {@code edf}, the rows where the calibrated step-time fit stops being flat
 * — where the rows' FLOPs cost as much as the fixed part of a block (the fit's intercept) — when
 * that knee lies at an image's tokens or beyond (a GPU: rows up to the knee are nearly free, rows
 * past it would lengthen every member's step). When the knee lies below one image's tokens (a CPU,
 * where a block's time grows from the first row), none either: there a budget saves no more than
 * the rows it turns away cost, while it splits the fixed part among fewer members, and near
 * capacity that lost throughput costs more than the order gains (simulated on this CPU's fit at 0.9
 * load, seeds 1–3: srpt's mean latency 0.71–0.73x static's with a one-image budget, 1.5–2.1x
 * without; again with the cheaper kernel hand-off, fit 0.1 ms + 8 ms/GFLOP per block, seeds 1–5:
 * median 1.59x with a one-image budget and its P95 up to 3.3x static's, 1.66x without, 1.99x with
 * two images). Before calibration: none.
 *
 * <p>The shared rows ({@link #shared}): what a step that carries interactive-level work may hold
 * while it takes lower-class members — under {@code srpt} and {@code edf}, the knee, at least one
 * image's tokens, so batch work cannot stretch an interactive edit's steps past the flat part (on a
 * CPU, about one image's rows); none under {@code fcfs}, before calibration, or with a set budget.
 */
public final class StepRows {
  private StepRows() {}

  /** The auto budget (rows per step; {@link Long#MAX_VALUE}: none). */
  public static long auto(Scheduling scheduling, CostModel costs, ModelConfig c) {
    if (scheduling == Scheduling.FCFS || costs == null) return Long.MAX_VALUE;
    long knee = knee(costs, c);
    return knee < c.imageTokens() ? Long.MAX_VALUE : knee;
  }

  /**
   * Rows whose FLOPs in one block cost the fit's intercept ({@code a + b·flops}: {@code b·rows·f =
   * a}, f the FLOPs one more masked row adds); {@link Long#MAX_VALUE} when the fit has no slope.
   */
  static long knee(CostModel costs, ModelConfig c) {
    int n = c.sequenceLength();
    int l = c.imageTokens();
    double perRow =
        (FlopModel.block(c, c.promptTokens() + l, n) - FlopModel.block(c, c.promptTokens(), n)) / l;
    double a = costs.compute().a();
    double b = costs.compute().b();
    if (!(b > 0) || !(perRow > 0)) return Long.MAX_VALUE;
    return (long) Math.ceil(Math.max(0, a) / (b * perRow));
  }

  /** The shared rows in force (see the class comment; {@link Long#MAX_VALUE}: none). */
  public static long shared(int maxStepTokens, Scheduling s, CostModel costs, ModelConfig c) {
    if (maxStepTokens > 0 || s == Scheduling.FCFS || costs == null) return Long.MAX_VALUE;
    return Math.max(c.imageTokens(), knee(costs, c));
  }

  /** The budget in force: {@code maxStepTokens} when set (positive), else {@link #auto}. */
  public static long of(int maxStepTokens, Scheduling s, CostModel costs, ModelConfig c) {
    return maxStepTokens > 0 ? maxStepTokens : auto(s, costs, c);
  }
}
