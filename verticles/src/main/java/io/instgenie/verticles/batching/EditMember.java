package io.instgenie.verticles.batching;

import io.instgenie.cache.PipelinedActivations;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.messages.DenoiseTask;

/**
 * An edit (or a template pre-warm) in a step loop, waiting or running: its edit job once started,
 * where the job's cached rows come from, and its clock.
 */
final class EditMember implements Member {
  final DenoiseTask task;
  EditJob job;

  /** Where the job's cached rows are read from; null when it reads none (full recompute). */
  TierKind tier;

  /** The loader feeding the job from a slower tier; null when its rows are read in place. */
  PipelinedActivations pipe;

  long startedAtMs = -1;
  long templateWaitMs;
  long waitSinceMs;
  int lastPosition = -1;

  /** Times it started over after a failed read of its template's cache ({@link ReadFailures}). */
  int restarts;

  EditMember(DenoiseTask task) {
    this.task = task;
  }

  @Override
  public String id() {
    return task.id();
  }

  @Override
  public EditJob job() {
    return job;
  }

  @Override
  public int branches() {
    return job.branches();
  }

  /**
   * Starts the edit from its first step on {@code acts} (null: every token recomputed); its first
   * {@code fullSteps} steps recompute every token anyway (the quality knob).
   */
  void startEdit(ModelConfig c, Activations acts, int fullSteps) {
    job = task.edit().job(c, acts, fullSteps);
    pipe = acts instanceof PipelinedActivations p ? p : null;
    tier = acts == null ? null : pipe != null ? pipe.tier() : TierKind.MEMORY;
  }

  /** Back to a task that has no job: it must find its template again (a failed cache read). */
  void forgetEdit() {
    release();
    job = null;
    tier = null;
  }

  @Override
  public void release() {
    if (pipe != null) pipe.close();
    pipe = null;
  }
}
