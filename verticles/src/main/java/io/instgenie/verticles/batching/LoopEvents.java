package io.instgenie.verticles.batching;

import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A step loop's reports in the words of job events: each carries {@code worker_step} (the steps the
 * loop has run) where a client counts in steps. Called on the step-loop thread.
 */
final class LoopEvents {
  private final LoopListener listener;
  private final LongSupplier stepsRun;

  LoopEvents(LoopListener listener, LongSupplier stepsRun) {
    this.listener = listener;
    this.stepsRun = stepsRun;
  }

  LoopListener listener() {
    return listener;
  }

  /** A queue position with the projected time to the member's end (ms; null: not estimated). */
  void queued(String id, int position, Double etaMs) {
    Long eta = etaMs == null ? null : Math.round(etaMs);
    send(id, new JobEvent.Queued(position, stepsRun.getAsLong(), eta));
  }

  void started(String id) {
    send(id, new JobEvent.Started(stepsRun.getAsLong(), null));
  }

  void templateStep(String id, int step, int total) {
    send(id, new JobEvent.TemplateStep(step, total));
  }

  /** A step of a running edit, with the projected time to its end (ms). */
  void step(EditMember m, double etaMs) {
    long eta = Math.round(Math.max(etaMs, 0));
    send(m.id(), new JobEvent.Step(m.job.step(), m.job.steps(), eta, stepsRun.getAsLong()));
  }

  /**
   * A step's progress: each edit's step with its projected end ({@code ends}, ms; 0 when not
   * projected), each template run's step to the edits waiting for it.
   */
  void stepped(List<Member> members, Map<Member, Double> ends, StepBatch<Member> batch) {
    for (Member m : members) {
      if (m instanceof EditMember e) {
        step(e, ends.getOrDefault(e, 0.0));
      } else if (m instanceof TemplateRunMember r) {
        for (Member w : batch.waits().waiters(r.templateId))
          templateStep(w.id(), r.job.step(), r.job.steps());
      }
    }
  }

  void cancelled(String id, long cancelStep) {
    send(id, new JobEvent.Cancelled(stepsRun.getAsLong(), cancelStep));
  }

  void failed(String id, String error) {
    send(id, new JobEvent.Failed(error));
  }

  /** A template pre-warm is done (it has no image). */
  void templateCompleted(EditMember m, long atMs) {
    send(m.id(), new JobEvent.Completed(timings(m, atMs), m.task.edit().templateId()));
  }

  /** An edit's pixels are done: on to post-processing. */
  void finished(EditMember m, byte[] rgb, long atMs) {
    RgbImage t = m.task.edit().request().template();
    listener.finished(m.id(), new RgbImage(t.width(), t.height(), rgb), timings(m, atMs));
  }

  private static Timings timings(EditMember m, long atMs) {
    return new Timings(
        m.startedAtMs - m.task.admittedAtMs(),
        m.templateWaitMs,
        atMs - m.startedAtMs - m.templateWaitMs,
        null);
  }

  private void send(String id, JobEvent.Body body) {
    listener.event(JobEvent.of(id, body));
  }
}
