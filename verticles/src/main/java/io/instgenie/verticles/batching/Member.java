package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.verticles.messages.DenoiseTask;
import java.util.ArrayList;
import java.util.List;

/**
 * A task in a step loop, waiting or running: its edit job or the template run it drives, and its
 * clock.
 */
final class Member {
  final DenoiseTask task;
  EditJob job;
  Run run;
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

  /** A template run in the batch and the tasks waiting for it. */
  static final class Run {
    final String templateId;
    final int steps;
    final TemplateRunJob job;
    final List<Member> waiters = new ArrayList<>();

    Run(String templateId, int steps, TemplateRunJob job) {
      this.templateId = templateId;
      this.steps = steps;
      this.job = job;
    }
  }
}
