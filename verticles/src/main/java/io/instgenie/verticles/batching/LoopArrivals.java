package io.instgenie.verticles.batching;

import io.instgenie.verticles.messages.DenoiseTask;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The step loop's side of its {@link Inbox}: new tasks join the queue (and their template is
 * prefetched while they wait), cancels take a task out wherever it is; queue positions are reported
 * when they change. On the step-loop thread.
 */
final class LoopArrivals implements Inbox.Handler {
  private static final System.Logger LOG = System.getLogger(LoopArrivals.class.getName());

  private final StepBatch<Member> batch;
  private final LoopEvents events;
  private final TemplateStore store;
  private final boolean useCache;
  private final Supplier<Map<Member, Double>> eta;

  LoopArrivals(
      StepBatch<Member> batch,
      LoopEvents events,
      TemplateStore store,
      boolean useCache,
      Supplier<Map<Member, Double>> eta) {
    this.batch = batch;
    this.events = events;
    this.store = store;
    this.useCache = useCache;
    this.eta = eta;
  }

  @Override
  public void task(DenoiseTask t) {
    EditMember m = new EditMember(t);
    m.waitSinceMs = LoopAdmission.now();
    m.lastPosition = batch.enqueue(m);
    // the first event carries the ETA too: the same projection as the later ones
    events.queued(t.id(), m.lastPosition, eta.get().get(m));
    if (useCache) prefetch(t);
  }

  /**
   * Drops a cancelled task wherever it is. The {@code cancelled} event carries {@code worker_step}
   * (steps run when it left) and {@code cancel_step} (steps run when the cancel arrived), so a
   * client can count the steps it ran after asking: at most the one in progress.
   */
  @Override
  public boolean cancel(String id, long arrivedAtStep) {
    Member m = batch.removeQueued(q -> q.id().equals(id));
    if (m == null) m = batch.removeRunning(r -> r instanceof EditMember && r.id().equals(id));
    if (m != null) m.release();
    if (m == null && !batch.waits().removeFirst(w -> w.id().equals(id))) return false;
    events.cancelled(id, arrivedAtStep);
    return true;
  }

  @Override
  public void cancelledOnArrival(DenoiseTask t, long arrivedAtStep) {
    events.cancelled(t.id(), arrivedAtStep);
  }

  /**
   * Reports the queue positions that changed since last reported, each with the member's projected
   * end (one projection for all).
   */
  void publishPositions() {
    int pos = 0;
    Map<Member, Double> ends = null;
    for (Member q : batch.queued()) {
      EditMember m = (EditMember) q;
      pos++;
      if (m.lastPosition != pos) {
        m.lastPosition = pos;
        if (ends == null) ends = eta.get();
        events.queued(m.id(), pos, ends.get(m));
      }
    }
  }

  /**
   * A queued task's template, brought closer while it waits; a failure only costs the head start.
   */
  private void prefetch(DenoiseTask t) {
    try {
      store.prefetch(t.edit().templateId(), t.edit().steps());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "prefetch of template " + t.edit().templateId() + " failed", e);
    }
  }
}
