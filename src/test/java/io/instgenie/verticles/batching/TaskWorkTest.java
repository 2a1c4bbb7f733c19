package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.StepWork;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The work of a queued edit, which the step loop ranks by and the balancer estimates with (one
 * function for both): a 10-step edit, two guidance branches, quality knob 6 of 20 default steps.
 */
class TaskWorkTest {
  private static final DitModel MODEL = DitModel.random(Presets.tiny(), 1);
  private static final int L = MODEL.config().imageTokens();
  private static final PreparedEdit EDIT = TinyEdits.edit(MODEL, 3, 10);
  private static final DenoiseTask TASK =
      new DenoiseTask("t", EDIT, false, 0, 5_000, Priority.BATCH);

  @Test
  @DisplayName(
      "with the cache: every token of both branches in ⌈6·10/20⌉ = 3 full steps, then the masked"
          + " tokens for 7 steps; deadline and class carried")
  void cached() {
    int m = EDIT.maskedTokens().length;
    assertEquals(2, TASK.branches());
    StepWork w = TASK.work(L, true, 6, 20);
    assertEquals(new StepWork(2 * L, 10, 5_000, Priority.BATCH, 3, 2 * m), w);
    assertEquals(3L * 2 * L + 7L * 2 * m, w.remainingRows());
  }

  @Test
  @DisplayName(
      "without the cache every step computes every token; knob 0: masked tokens from step 1")
  void uncachedAndNoKnob() {
    int m = EDIT.maskedTokens().length;
    assertEquals(10L * 2 * L, TASK.work(L, false, 6, 20).remainingRows());
    assertEquals(new StepWork(2 * L, 10, 5_000, Priority.BATCH), TASK.work(L, false, 6, 20));
    assertEquals(new StepWork(2 * m, 10, 5_000, Priority.BATCH), TASK.work(L, true, 0, 20));
  }

  @Test
  @DisplayName("a template pre-warm has no edit work of its own")
  void templateOnly() {
    DenoiseTask warm = new DenoiseTask("w", EDIT, true, 0);
    assertThrows(IllegalStateException.class, () -> warm.work(L, true, 6, 20));
  }
}
