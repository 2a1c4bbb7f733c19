package io.instgenie.verticles.batching;

import io.instgenie.verticles.observe.EditLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Recovery after a forward cut short by a failed cached read (a corrupt or unreadable disk segment,
 * which the cache tier has already discarded): the edits reading it start over from the head of the
 * queue, so they find their template elsewhere or redo its template run; the rest of the batch
 * redoes the step (a member's state moves only after a whole forward).
 */
final class ReadFailures {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

  /** Starts over an edit may make; the next failed read ends it (a failure that keeps coming). */
  static final int MAX_RESTARTS = 3;

  private ReadFailures() {}

  /**
   * Sends the stepping edits whose reads failed back to the head of the queue (those that have
   * started over {@link #MAX_RESTARTS} times end {@code failed} through {@code endings}) and
   * rewinds the loaders of the others; false when no read failed (the forward failed for another
   * reason).
   */
  static boolean restart(StepBatch<Member> batch, LoopEndings endings) {
    List<EditMember> failed = new ArrayList<>();
    List<EditMember> ended = new ArrayList<>();
    for (Member m : batch.stepping()) {
      if (!(m instanceof EditMember e) || e.pipe == null) continue;
      Optional<RuntimeException> err = e.pipe.loadFailure();
      if (err.isEmpty()) {
        e.pipe.rewind();
        continue;
      }
      if (e.restarts >= MAX_RESTARTS) {
        ended.add(e);
        continue;
      }
      EditLog.log(
          LOG,
          Level.WARN,
          e.id(),
          e.task.origin(),
          "starts over (it was at step "
              + e.job.step()
              + "): its template's cache failed to load: "
              + err.get().getMessage(),
          null);
      failed.add(e);
    }
    batch.leave(m -> failed.contains(m) || ended.contains(m));
    for (EditMember e : ended)
      endings.fail(
          e,
          "its template's cache failed to load "
              + (MAX_RESTARTS + 1)
              + " times: "
              + e.pipe.loadFailure().map(Throwable::getMessage).orElse("?"));
    for (EditMember e : failed) {
      e.restarts++;
      e.forgetEdit();
      e.lastPosition = -1; // queued again: it says so, with its place, at the next turn of the loop
    }
    batch.requeueFirst(List.copyOf(failed));
    return !failed.isEmpty() || !ended.isEmpty();
  }
}
