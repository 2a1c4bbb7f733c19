package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.DenoiseJob;
import io.instgenie.verticles.policy.MemberLoad;

/** A task in a step loop: an edit, or the template run that edits of its template wait for. */
sealed interface Member permits EditMember, TemplateRunMember {
  /** The job id it reports under (a template run: the id of the edit that started it). */
  String id();

  /** What it computes each step; null for an edit that has not started. */
  DenoiseJob job();

  /** Stops its loader and closes what it reads; call whenever it leaves the batch. */
  void release();

  /** Its load for routing: tokens computed per step (all branches) and steps left. */
  default MemberLoad load() {
    DenoiseJob j = job();
    return new MemberLoad(j.activeTokens() * branches(), j.steps() - j.step());
  }

  /** Evaluations per step (guidance branches; one for a template run). */
  default int branches() {
    return 1;
  }
}
