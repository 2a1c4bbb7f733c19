package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.Activations;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Origin;
import io.instgenie.verticles.observe.EditLog;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * How members leave a step loop's batch: {@link #finish} for one that ran its last step (an edit's
 * pixels go on, a template run's activations are kept and its waiters go back to the queue) and
 * {@link #fail}, the one way a member ends otherwise. An exception while one member finishes fails
 * that member alone; {@link #expire} ends edits past their deadline. On the step-loop thread.
 */
final class LoopEndings {
  private static final Logger LOG = LoggerFactory.getLogger(LoopEndings.class);

  private final StepBatch<Member> batch;
  private final LoopEvents events;
  private final TemplateStore store;

  /** How an edit joins the batch on its template's activations ({@link LoopAdmission#join}). */
  private final BiConsumer<EditMember, Activations> join;

  private final Faults faults;

  LoopEndings(
      StepBatch<Member> batch,
      LoopEvents events,
      TemplateStore store,
      BiConsumer<EditMember, Activations> join,
      Faults faults) {
    this.batch = batch;
    this.events = events;
    this.store = store;
    this.join = join;
    this.faults = faults;
  }

  /**
   * Edits past their deadline at {@code nowMs} leave before the next step, wherever they are
   * (queued, waiting for a template run, running): so an edit ends within one step of its deadline.
   */
  void expire(long nowMs) {
    Predicate<Member> late = m -> m instanceof EditMember e && e.task.pastDeadline(nowMs);
    List<Member> gone = new ArrayList<>(batch.leave(late));
    gone.addAll(batch.removeAllQueued(late));
    gone.addAll(batch.waits().removeAll(late));
    for (Member m : gone) fail(m, JobEvent.Failed.DEADLINE_EXCEEDED);
  }

  /** A member that ran its last step, out of the batch: its result goes on, or it fails alone. */
  void finish(Member m) {
    try {
      m.release();
      if (m instanceof EditMember e) {
        faults.check(Faults.Point.FINISH);
        byte[] rgb =
            e.job.result(e.task.edit().request().template().pixels(), e.task.edit().pixelMask());
        events.finished(e, rgb, LoopAdmission.now());
      } else if (m instanceof TemplateRunMember r) {
        templateRunDone(r);
      }
    } catch (RuntimeException | Error err) {
      EditLog.log(LOG, Level.ERROR, m.id(), origin(m), "finishing failed", err);
      fail(m, "internal error while finishing: " + err);
    }
  }

  private void templateRunDone(TemplateRunMember run) {
    Activations acts = run.job.activations();
    store.commit(run.templateId, run.steps, acts);
    // waiters keep their place ahead of tasks that arrived after them
    batch.templateRunDone(
        run.templateId,
        member -> {
          EditMember w = (EditMember) member;
          try {
            w.templateWaitMs += LoopAdmission.now() - w.waitSinceMs;
            if (w.task.templateOnly()) {
              // a pre-warm answers ready once its activations are as durable as the store makes
              // them (on disk where there is a disk tier): a crash after the answer loses nothing
              long doneAt = LoopAdmission.now();
              store.whenStored(
                  run.templateId, run.steps, () -> events.templateCompleted(w, doneAt));
              return false;
            }
            join.accept(w, acts);
            return true;
          } catch (RuntimeException | Error err) {
            fail(w, "internal error after its template run: " + err);
            return false;
          }
        });
  }

  /**
   * The one way a member ends without finishing: it is released and reported {@code failed}; a
   * template run fails the edits waiting for it (and only those).
   */
  void fail(Member m, String error) {
    try {
      m.release();
    } catch (RuntimeException e) {
      EditLog.log(LOG, Level.WARN, m.id(), origin(m), "releasing failed", e);
    }
    if (m instanceof TemplateRunMember r) {
      for (Member w : batch.waits().abandon(r.templateId)) fail(w, error);
    } else {
      events.failed(m.id(), error);
    }
  }

  /** Where an edit came from, for its log lines (none for a template run). */
  private static Origin origin(Member m) {
    return m instanceof EditMember e ? e.task.origin() : Origin.NONE;
  }
}
