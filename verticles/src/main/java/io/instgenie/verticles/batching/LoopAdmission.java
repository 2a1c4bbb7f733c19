package io.instgenie.verticles.batching;

import io.instgenie.cache.PipelinedActivations;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.policy.StepWork;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What a queued task does when a slot frees: the step loop's side of {@link StepBatch}. An edit
 * looks its template up (joins the batch, or waits for its template run); a template run is set up
 * here. A member whose start throws is ended through the loop's {@code fail}, never left between
 * the queue and the batch.
 */
final class LoopAdmission implements BatchRules<Member> {
  private final TemplateStore store;
  private final ModelConfig config;

  /** The quality knob: an edit's first steps that recompute every token. */
  private int fullSteps;

  private final boolean useCache;
  private final LoopEvents events;
  private final Faults faults;
  private final BiConsumer<Member, String> fail;

  LoopAdmission(
      TemplateStore store,
      ModelConfig config,
      boolean useCache,
      LoopEvents events,
      Faults faults,
      BiConsumer<Member, String> fail) {
    this.store = store;
    this.config = config;
    this.useCache = useCache;
    this.events = events;
    this.faults = faults;
    this.fail = fail;
  }

  /**
   * A task whose template the store is not ready to read yet (a peer still being asked about its
   * copy) stays queued, in place, while the batch steps on.
   */
  @Override
  public boolean held(Member m) {
    if (!(m instanceof EditMember e) || e.job != null) return false;
    PreparedEdit p = e.task.edit();
    try {
      return store.loading(p.templateId(), p.steps());
    } catch (RuntimeException err) {
      return false; // its start finds out what is wrong
    }
  }

  @Override
  public StepBatch.Start start(Member member) {
    EditMember m = (EditMember) member; // only edits queue
    try {
      faults.check(Faults.Point.MEMBER_START);
      return startEdit(m);
    } catch (RuntimeException | Error e) {
      fail.accept(m, "internal error while starting: " + e);
      return StepBatch.Start.DONE;
    }
  }

  private StepBatch.Start startEdit(EditMember m) {
    PreparedEdit p = m.task.edit();
    if (m.job != null) return StepBatch.Start.RUN; // back from its template run: started already
    if (m.startedAtMs < 0) { // not an edit starting over
      m.startedAtMs = now();
      events.started(m.id());
      // should it wait in the queue again (back from its template run), it says where, afresh
      m.lastPosition = -1;
    }
    if (!m.task.templateOnly() && p.maskedTokens().length == 0) {
      events.finished(m, p.request().template().pixels(), now());
      return StepBatch.Start.DONE;
    }
    if (!useCache) {
      if (m.task.templateOnly()) {
        events.templateCompleted(m, now());
        return StepBatch.Start.DONE;
      }
      return join(m, null);
    }
    Optional<Activations> cached = store.lookup(p.templateId(), p.steps());
    events.listener().templateLookup(cached.isPresent());
    if (cached.isPresent()) {
      if (!m.task.templateOnly()) return join(m, cached.get());
      // registering a template that is held already: nothing to read
      if (cached.get() instanceof PipelinedActivations unread) unread.close();
      long doneAt = now();
      store.whenStored(p.templateId(), p.steps(), () -> events.templateCompleted(m, doneAt));
      return StepBatch.Start.DONE;
    }
    m.waitSinceMs = now();
    return new StepBatch.Start.AwaitTemplate(p.templateId());
  }

  /**
   * Sets up the template run (its activations are allocated here); when that throws (the memory for
   * them cannot be had), only {@code first}, the edit that asked for it, fails.
   */
  @Override
  public Member templateRun(String templateId, Member first) {
    EditMember m = (EditMember) first;
    PreparedEdit p = m.task.edit();
    try {
      faults.check(Faults.Point.TEMPLATE_RUN_SETUP);
      Activations acts = store.newRun(p.templateId(), p.steps());
      TemplateRunJob job = new TemplateRunJob(config, p.templateTokens(), p.templateNoise(), acts);
      m.waitSinceMs = now(); // its wait starts once its run exists
      return new TemplateRunMember(m.id(), p.templateId(), p.steps(), job, m.task);
    } catch (RuntimeException | Error e) {
      fail.accept(m, "the template run could not start: " + e);
      return null;
    }
  }

  /**
   * What a member asks of the steps ahead: rows per step (every token in an edit's full steps, then
   * its masked tokens, times its branches; every token throughout with the cache off), remaining
   * steps, and the deadline and class of its task (a template run: of the edit that started it).
   */
  @Override
  public StepWork work(Member m) {
    if (m instanceof TemplateRunMember r)
      return new StepWork(
          r.job.activeTokens(),
          r.job.steps() - r.job.step(),
          r.first.deadlineAtMs(),
          r.first.priority());
    EditMember e = (EditMember) m;
    DenoiseTask t = e.task;
    if (e.job != null) {
      int b = e.job.branches();
      return new StepWork(
          config.imageTokens() * b,
          e.job.steps() - e.job.step(),
          t.deadlineAtMs(),
          t.priority(),
          e.job.fullStepsLeft(),
          e.job.activeTokensLater() * b);
    }
    if (t.templateOnly()) return new StepWork(0, t.edit().steps(), t.deadlineAtMs(), t.priority());
    return t.work(config.imageTokens(), useCache, fullSteps, config.defaultSteps());
  }

  /** An edit joins the batch on its template's activations (null: every token recomputed). */
  StepBatch.Start join(EditMember m, Activations acts) {
    if (acts instanceof PipelinedActivations unread
        && m.task.edit().maskedTokens().length == config.imageTokens()) {
      unread.close(); // every token masked: no cached row to read, so nothing to load
      acts = null;
    }
    m.startEdit(config, acts, fullSteps);
    return StepBatch.Start.RUN;
  }

  static long now() {
    return System.currentTimeMillis();
  }

  void fullSteps(int k) {
    this.fullSteps = k;
  }
}
