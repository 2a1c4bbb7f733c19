package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.verticles.messages.DenoiseTask;

/**
 * A template run in the batch: the full computation that records a template's activations (its
 * waiters are the {@link StepBatch}'s). It reports under the id of the edit that started it.
 */
final class TemplateRunMember implements Member {
  final String startedBy;
  final String templateId;
  final int steps;
  final TemplateRunJob job;

  /** The task of the edit that started it: the run is scheduled with its deadline and class. */
  final DenoiseTask first;

  TemplateRunMember(
      String startedBy, String templateId, int steps, TemplateRunJob job, DenoiseTask first) {
    this.startedBy = startedBy;
    this.templateId = templateId;
    this.steps = steps;
    this.job = job;
    this.first = first;
  }

  @Override
  public String id() {
    return startedBy;
  }

  @Override
  public TemplateRunJob job() {
    return job;
  }

  @Override
  public void release() {}
}
