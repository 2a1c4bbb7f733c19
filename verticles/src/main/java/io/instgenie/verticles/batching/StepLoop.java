package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.PipelinedActivations;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A denoise worker's step loop, on its own thread: before every step, cancelled and finished
 * members leave and queued tasks join up to {@code maxBatch} (continuous batching) or, in static
 * mode, only when the batch is empty. One packed forward per step for all members, its block modes
 * chosen for the whole batch by {@link BlockPlanner} (Algorithm 1 once a member reads its template
 * from disk through the pipelined loader). A template run is a member like an edit; edits of a
 * template being run wait for it without holding a slot, and concurrent first edits of one template
 * share one template run. An edit whose cached rows fail to load (a corrupt segment) starts over
 * and finds or redoes its template. Plain Java: the service and a simulator can drive it.
 */
public final class StepLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(StepLoop.class.getName());

  private final DitForward forward;
  private final TemplateStore store;
  private final StepListener listener;
  private final int maxBatch;
  private final boolean continuous;

  /** False: every edit recomputes every token (the full-recompute baseline); no template runs. */
  private final boolean useCache;

  private final BlockPlanner planner;

  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final StepBatch<Member> batch;
  private final ArrayDeque<Member> queue;
  private final List<Member> running;
  private final Admission admission = new Admission();
  private final List<Sequence> seqs = new ArrayList<>();
  private volatile boolean stopped;
  private volatile Load load = new Load(0, 0, List.of());
  private double stepMsEma = -1;

  /**
   * Steps this loop has run; events carry it as {@code worker_step} so joins can be counted in
   * steps. Written only by the loop; volatile so a cancel can record the step it arrived at.
   */
  private volatile long stepsRun;

  /**
   * The worker's load, for routing: per running sequence group (masked tokens, remaining steps).
   */
  public record Load(int queued, int runningMembers, List<int[]> running) {}

  /** A cancel and the number of steps the loop had run when it arrived. */
  private record Cancel(String id, long arrivedAtStep) {}

  public StepLoop(
      DitForward forward,
      TemplateStore store,
      StepListener listener,
      int maxBatch,
      boolean continuous,
      boolean useCache) {
    this.forward = forward;
    this.store = store;
    this.listener = listener;
    this.maxBatch = maxBatch;
    this.continuous = continuous;
    this.useCache = useCache;
    this.planner = new BlockPlanner(forward.config());
    this.batch = new StepBatch<>(maxBatch, continuous);
    this.queue = batch.queue();
    this.running = batch.running();
  }

  /**
   * Thread-safe: the calibrated costs behind Algorithm 1 (until then, blocks read from disk use the
   * cache everywhere).
   */
  public void useCosts(CostModel calibrated) {
    planner.useCosts(calibrated);
  }

  /** Thread-safe: hands a task to the loop. */
  public void submit(DenoiseTask task) {
    inbox.add(task);
  }

  /** Thread-safe: asks the loop to drop a queued or running task before its next step. */
  public void cancel(String id) {
    inbox.add(new Cancel(id, stepsRun));
  }

  public void stop() {
    stopped = true;
    inbox.add(new Cancel("", 0));
  }

  public Load load() {
    return load;
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      for (Member m : running) m.release();
    }
  }

  private void loop() {
    while (!stopped) {
      try {
        drainInbox(running.isEmpty() ? (queue.isEmpty() ? 200 : 2) : 0);
        admit();
        publishPositions();
        if (!running.isEmpty()) step();
        load = snapshot();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // the loop must outlive any one batch: a dead step loop would hang every request
        LOG.log(Level.ERROR, "step failed; failing the batch", e);
        for (Member m : new ArrayList<>(running)) {
          fail(m, "internal error: " + e);
          m.release();
        }
        running.clear();
        batch.clearTemplateRuns();
      }
    }
  }

  /** Takes what arrived; waits up to {@code waitMs} for the first item (0: no wait). */
  private void drainInbox(long waitMs) throws InterruptedException {
    Object first = waitMs > 0 ? inbox.poll(waitMs, TimeUnit.MILLISECONDS) : inbox.poll();
    for (Object o = first; o != null; o = inbox.poll()) {
      if (o instanceof DenoiseTask t && earlyCancels.containsKey(t.id())) {
        long arrived = earlyCancels.remove(t.id());
        listener.event(
            JobEvent.of(t.id(), "cancelled", "worker_step", stepsRun, "cancel_step", arrived));
      } else if (o instanceof DenoiseTask t) {
        Member m = new Member(t);
        m.waitSinceMs = now();
        queue.add(m);
        m.lastPosition = queue.size();
        listener.event(
            JobEvent.of(t.id(), "queued", "position", m.lastPosition, "worker_step", stepsRun));
        if (useCache) prefetch(t);
      } else if (o instanceof Cancel c && !c.id().isEmpty()) {
        cancelNow(c);
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

  /**
   * Cancels that arrived before their task, with the step count at arrival (bounded; oldest
   * forgotten first).
   */
  private final LinkedHashMap<String, Long> earlyCancels = new LinkedHashMap<>();

  /**
   * Drops a cancelled task wherever it is. The {@code cancelled} event carries {@code worker_step}
   * (steps run when it left) and {@code cancel_step} (steps run when the cancel arrived), so a
   * client can count the steps it ran after asking: at most the one in progress.
   */
  private void cancelNow(Cancel c) {
    String id = c.id();
    JobEvent cancelled =
        JobEvent.of(id, "cancelled", "worker_step", stepsRun, "cancel_step", c.arrivedAtStep());
    for (Iterator<Member> it = queue.iterator(); it.hasNext(); ) {
      if (it.next().id().equals(id)) {
        it.remove();
        listener.event(cancelled);
        return;
      }
    }
    for (Iterator<Member> it = running.iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (m.id().equals(id) && m.job != null) {
        it.remove();
        m.release();
        listener.event(cancelled);
        return;
      }
    }
    if (batch.removeWaiter(m -> m.id().equals(id))) {
      listener.event(cancelled);
      return;
    }
    earlyCancels.put(id, c.arrivedAtStep());
    if (earlyCancels.size() > 1024) earlyCancels.remove(earlyCancels.keySet().iterator().next());
  }

  /** Moves queued tasks into the batch while there is room (static: only into an empty batch). */
  private void admit() {
    batch.admit(admission);
  }

  /** What a queued task does when a slot frees: the step loop's side of {@link StepBatch}. */
  private final class Admission implements StepBatch.Rules<Member> {
    /**
     * A task whose template the store is not ready to read yet (a peer still being asked about its
     * copy) stays queued, in place, while the batch steps on.
     */
    @Override
    public boolean held(Member m) {
      PreparedEdit p = m.task.edit();
      return m.job == null && store.loading(p.templateId(), p.steps());
    }

    @Override
    public StepBatch.Start start(Member m) {
      PreparedEdit p = m.task.edit();
      if (m.job != null) return StepBatch.Start.RUN; // back from its template run: started already
      if (m.startedAtMs < 0) { // not an edit starting over
        m.startedAtMs = now();
        listener.event(JobEvent.of(m.id(), "started", "worker_step", stepsRun));
      }
      if (!m.task.templateOnly() && p.maskedTokens().length == 0) {
        finish(m, p.request().template().pixels(), now());
        return StepBatch.Start.DONE;
      }
      if (!useCache) {
        if (m.task.templateOnly()) {
          completeTemplate(m);
          return StepBatch.Start.DONE;
        }
        return join(m, null);
      }
      Optional<Activations> cached = store.lookup(p.templateId(), p.steps());
      listener.templateLookup(cached.isPresent());
      if (cached.isPresent()) {
        if (!m.task.templateOnly()) return join(m, cached.get());
        // registering a template that is held already: nothing to read
        if (cached.get() instanceof PipelinedActivations unread) unread.close();
        completeTemplate(m);
        return StepBatch.Start.DONE;
      }
      m.waitSinceMs = now();
      return new StepBatch.Start.AwaitTemplate(p.templateId());
    }

    @Override
    public Member templateRun(String templateId, Member first) {
      PreparedEdit p = first.task.edit();
      Activations acts = store.newRun(p.templateId(), p.steps());
      Member runner = new Member(first.task);
      runner.run =
          new Member.Run(
              p.templateId(),
              p.steps(),
              new TemplateRunJob(forward.config(), p.templateTokens(), p.templateNoise(), acts));
      first.waitSinceMs = now(); // its wait starts once its run exists
      return runner;
    }
  }

  private StepBatch.Start join(Member m, Activations acts) {
    if (acts instanceof PipelinedActivations unread
        && m.task.edit().maskedTokens().length == forward.config().imageTokens()) {
      unread.close(); // every token masked: no cached row to read, so nothing to load
      acts = null;
    }
    m.startEdit(forward.config(), acts);
    return StepBatch.Start.RUN;
  }

  private void step() {
    long t0 = System.nanoTime();
    BlockPlanner.Choice choice = planner.plan(running);
    seqs.clear();
    for (Member m : running) {
      // the plan first: asking for a step's source starts its loader on the plan's CACHE blocks
      if (m.pipe != null) m.pipe.setPlan(choice.modes());
      if (m.job != null) m.job.addSequences(seqs);
      else m.run.job.addSequences(seqs);
    }
    long k0 = System.nanoTime();
    try {
      forward.run(seqs, choice.modes());
    } catch (RuntimeException e) {
      if (restartFailedReads()) return; // the step is redone at the next turn of the loop
      throw e;
    }
    double kernelMs = (System.nanoTime() - k0) / 1e6;
    stepsRun++;
    if (choice.slowest() != null)
      listener.blockModes(choice.slowest(), choice.cached(), choice.recomputed());
    int members = running.size();
    List<Member> done = new ArrayList<>();
    for (Member m : running) {
      if (m.job != null) {
        m.job.afterStep();
        int left = m.job.steps() - m.job.step();
        listener.event(
            JobEvent.of(
                m.id(),
                "step",
                "step",
                m.job.step(),
                "total",
                m.job.steps(),
                "eta_ms",
                Math.round(left * Math.max(stepMsEma, 0)),
                "worker_step",
                stepsRun));
        if (m.job.done()) done.add(m);
      } else {
        m.run.job.afterStep();
        for (Member w : batch.waiters(m.run.templateId)) {
          listener.event(
              JobEvent.of(
                  w.id(), "template", "step", m.run.job.step(), "total", m.run.job.steps()));
        }
        if (m.run.job.done()) done.add(m);
      }
    }
    running.removeAll(done);
    for (Member m : done) {
      m.release();
      if (m.job != null)
        finish(
            m,
            m.job.result(m.task.edit().request().template().pixels(), m.task.edit().pixelMask()),
            now());
      else templateRunDone(m.run);
    }
    double stepMs = (System.nanoTime() - t0) / 1e6;
    stepMsEma = stepMsEma < 0 ? stepMs : 0.8 * stepMsEma + 0.2 * stepMs;
    load = snapshot();
    listener.stepDone(members, seqs.size(), stepMs, kernelMs);
  }

  private void templateRunDone(Member.Run run) {
    Activations acts = run.job.activations();
    store.commit(run.templateId, run.steps, acts);
    // waiters keep their place ahead of tasks that arrived after them
    batch.templateRunDone(
        run.templateId,
        w -> {
          w.templateWaitMs += now() - w.waitSinceMs;
          if (w.task.templateOnly()) {
            completeTemplate(w);
            return false;
          }
          w.startEdit(forward.config(), acts);
          return true;
        });
  }

  /**
   * After a forward cut short by a failed cached read (a corrupt or unreadable disk segment, which
   * the cache tier has already discarded): the edits reading it start over from the head of the
   * queue, so they find their template elsewhere or redo its template run; the rest of the batch
   * redoes the step (a member's state moves only after a whole forward). False when no read failed.
   */
  private boolean restartFailedReads() {
    List<Member> failed = new ArrayList<>();
    for (Member m : running) {
      if (m.pipe == null) continue;
      Optional<RuntimeException> err = m.pipe.loadFailure();
      if (err.isEmpty()) {
        m.pipe.rewind();
        continue;
      }
      LOG.log(
          Level.WARNING,
          "edit "
              + m.id()
              + " starts over (it was at step "
              + m.job.step()
              + "): its template's cache failed to load: "
              + err.get().getMessage());
      failed.add(m);
    }
    running.removeAll(failed);
    for (int i = failed.size() - 1; i >= 0; i--) {
      failed.get(i).forgetEdit();
      queue.addFirst(failed.get(i));
    }
    return !failed.isEmpty();
  }

  private void completeTemplate(Member m) {
    Map<String, Object> timings = timings(m, now());
    listener.event(
        JobEvent.of(
            m.id(), "completed", "timings", timings, "template_id", m.task.edit().templateId()));
  }

  private void finish(Member m, byte[] rgb, long at) {
    RgbImage t = m.task.edit().request().template();
    listener.finished(m.id(), new RgbImage(t.width(), t.height(), rgb), timings(m, at));
  }

  private Map<String, Object> timings(Member m, long at) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("queue_ms", m.startedAtMs - m.task.admittedAtMs());
    t.put("template_run_ms", m.templateWaitMs);
    t.put("denoise_ms", at - m.startedAtMs - m.templateWaitMs);
    return t;
  }

  private void fail(Member m, String error) {
    if (m.run != null) {
      for (Member w : batch.waiters(m.run.templateId))
        listener.event(JobEvent.of(w.id(), "failed", "error", error));
    } else {
      listener.event(JobEvent.of(m.id(), "failed", "error", error));
    }
  }

  private void publishPositions() {
    int pos = 0;
    for (Member m : queue) {
      pos++;
      if (m.lastPosition != pos) {
        m.lastPosition = pos;
        listener.event(JobEvent.of(m.id(), "queued", "position", pos, "worker_step", stepsRun));
      }
    }
  }

  private Load snapshot() {
    List<int[]> r = new ArrayList<>();
    for (Member m : running) {
      if (m.job != null)
        r.add(new int[] {m.job.activeTokens() * m.job.branches(), m.job.steps() - m.job.step()});
      else r.add(new int[] {m.run.job.activeTokens(), m.run.job.steps() - m.run.job.step()});
    }
    return new Load(queue.size(), running.size(), r);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
