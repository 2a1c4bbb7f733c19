package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.policy.Scheduling;

/**
 * The row budget of a step when {@code max_step_tokens} is 0 (auto): none under {@code fcfs} (as
 * before step scheduling: every member that has started runs each step, up to {@code max_batch});
 * under {@code srpt} and {@code edf}, the rows where the calibrated step-time fit stops being flat
 * — where the rows' FLOPs cost as much as the fixed part of a block (the fit's intercept) — and
 * never fewer than one image's tokens, so a full-image member fits alone. On a CPU, where a block's
 * time grows from the first row, that is about one image's tokens; on a GPU, many members' rows.
 * Before calibration: none.
 */
public final class StepRows {
  private StepRows() {}

  /** The auto budget (rows per step; {@link Long#MAX_VALUE}: none). */
  public static long auto(Scheduling scheduling, CostModel costs, ModelConfig c) {
    if (scheduling == Scheduling.FCFS || costs == null) return Long.MAX_VALUE;
    return Math.max(c.imageTokens(), knee(costs, c));
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

  /** The budget in force: {@code maxStepTokens} when set (positive), else {@link #auto}. */
  public static long of(int maxStepTokens, Scheduling s, CostModel costs, ModelConfig c) {
    return maxStepTokens > 0 ? maxStepTokens : auto(s, costs, c);
  }
}
