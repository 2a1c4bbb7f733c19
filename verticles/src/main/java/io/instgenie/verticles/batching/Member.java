package io.instgenie.verticles.batching;

import io.instgenie.cache.PipelinedActivations;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.messages.DenoiseTask;

/**
 * A task in a step loop, waiting or running: its edit job or the template run it drives, where the
 * job's cached rows come from, and its clock.
 */
final class Member {
  final DenoiseTask task;
  EditJob job;
  Run run;

  /** Where the job's cached rows are read from; null when it reads none (full recompute). */
  TierKind tier;

  /** The loader feeding the job from a slower tier; null when its rows are read in place. */
  PipelinedActivations pipe;

  long startedAtMs = -1;
  long templateWaitMs;
  long waitSinceMs;
  int lastPosition = -1;

  Member(DenoiseTask task) {
    this.task = task;
  }

  String id() {
    return task.id();
  }

  /** Starts the edit from its first step on {@code acts} (null: every token recomputed). */
  void startEdit(ModelConfig c, Activations acts) {
    job = task.edit().job(c, acts);
    pipe = acts instanceof PipelinedActivations p ? p : null;
    tier = acts == null ? null : pipe != null ? pipe.tier() : TierKind.MEMORY;
  }

  /** Back to a task that has no job: it must find its template again (a failed cache read). */
  void forgetEdit() {
    release();
    job = null;
    tier = null;
  }

  /** Stops its loader and closes the file it reads; call whenever it leaves the batch. */
  void release() {
    if (pipe != null) pipe.close();
    pipe = null;
  }

  /** A template run in the batch (its waiters are the {@link StepBatch}'s). */
  static final class Run {
    final String templateId;
    final int steps;
    final TemplateRunJob job;

    Run(String templateId, int steps, TemplateRunJob job) {
      this.templateId = templateId;
      this.steps = steps;
      this.job = job;
    }
  }
}
