package io.instgenie.verticles.messages;

import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.StepWork;

/**
 * A validated edit (or, with {@code templateOnly}, a template pre-warm) on its way to a denoise
 * worker, with its deadline (epoch ms; {@code Long.MAX_VALUE}: none) and its priority class. {@code
 * origin} (its tenant and its request's trace context) travels with the task to whichever node runs
 * it.
 */
public record DenoiseTask(
    String id,
    PreparedEdit edit,
    boolean templateOnly,
    long admittedAtMs,
    long deadlineAtMs,
    Priority priority,
    Origin origin) {
  public DenoiseTask {
    priority = priority == null ? Priority.INTERACTIVE : priority;
    origin = origin == null ? Origin.NONE : origin;
  }

  /** A task of no known origin. */
  public DenoiseTask(
      String id,
      PreparedEdit edit,
      boolean templateOnly,
      long admittedAtMs,
      long deadlineAtMs,
      Priority priority) {
    this(id, edit, templateOnly, admittedAtMs, deadlineAtMs, priority, null);
  }

  /** A task without a deadline. */
  public DenoiseTask(String id, PreparedEdit edit, boolean templateOnly, long admittedAtMs) {
    this(id, edit, templateOnly, admittedAtMs, Long.MAX_VALUE, Priority.INTERACTIVE, null);
  }

  /** An interactive task with a deadline. */
  public DenoiseTask(
      String id, PreparedEdit edit, boolean templateOnly, long admittedAtMs, long deadlineAtMs) {
    this(id, edit, templateOnly, admittedAtMs, deadlineAtMs, Priority.INTERACTIVE, null);
  }

  /** True once {@code nowMs} is past the task's deadline. */
  public boolean pastDeadline(long nowMs) {
    return nowMs >= deadlineAtMs;
  }

  /** Sequences per step this task adds to a batch once it runs (guidance branches). */
  public int branches() {
    return templateOnly ? 1 : edit.branches();
  }

  /**
   * What this edit asks of a worker's steps from its first one: per branch, every one of the {@code
   * imageTokens} in the quality knob's full steps ({@code fullSteps} at the model's {@code
   * defaultSteps}, scaled to this edit's: {@link EditJob#fullStepsFor}), then its masked tokens;
   * every token throughout without the activation cache. The step loop ranks a queued edit by it
   * and the balancer estimates with it, so both count the same work. Not for a template pre-warm,
   * whose work is its template run's.
   */
  public StepWork work(int imageTokens, boolean cache, int fullSteps, int defaultSteps) {
    if (templateOnly) throw new IllegalStateException("a template pre-warm has no edit work");
    int all = imageTokens * branches();
    int steps = edit.steps();
    int masked = cache ? edit.maskedTokens().length * branches() : all;
    int full = cache ? EditJob.fullStepsFor(fullSteps, steps, defaultSteps) : 0;
    return new StepWork(all, steps, deadlineAtMs, priority, full, masked);
  }
}
