package io.instgenie.verticles.batching;

import io.instgenie.verticles.policy.StepWork;

/**
 * The member-specific decisions behind a {@link StepBatch}'s rules: whether a queued member waits
 * in place, what a member that leaves the queue does, the template runs members ask for, and what
 * each asks of the steps ahead.
 *
 * @param <M> a member of the batch
 */
public interface BatchRules<M> {
  /** True: the member stays queued, in place, this turn (its template is still being brought). */
  boolean held(M member);

  /** The member left the queue for a free slot: what it does (a cache lookup, for an edit). */
  StepBatch.Start start(M member);

  /**
   * A new template-run member for {@code templateId}, asked for by {@code first}'s start; null when
   * it cannot start (the rules have then ended {@code first}).
   */
  M templateRun(String templateId, M first);

  /** What the member asks of the steps ahead, for the policy (queued: as it would start). */
  default StepWork work(M member) {
    return StepWork.UNKNOWN;
  }
}
