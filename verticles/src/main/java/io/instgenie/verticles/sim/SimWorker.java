package io.instgenie.verticles.sim;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.util.LruBytes;
import io.instgenie.verticles.batching.BatchRules;
import io.instgenie.verticles.batching.StepBatch;
import io.instgenie.verticles.policy.MemberLoad;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.policy.StepWork;
import io.instgenie.verticles.policy.WorkerView;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One simulated denoise worker: the live step loop's batch rules ({@link StepBatch}, continuous or
 * static), a memory and a disk tier with the live eviction policy ({@link LruBytes}), and the step
 * cost of its batch from Algorithm 1 on the calibrated costs. Only its clock is simulated.
 */
final class SimWorker {
  /** A queued or running task: an edit, or the template run its template needs. */
  static final class Member {
    final SimRequest request; // null for a template run
    SimRequest owner; // the request it serves (a template run: the edit that asked for it)
    final String templateId;
    final int steps;
    final int tokens; // computed tokens per step: masked × branches, or every token
    final int fullTokens; // every token × branches: its first fullSteps steps (the quality knob)
    final int fullSteps;
    int step;
    boolean started; // has its cached rows (or is a template run): joins without a lookup
    TierKind tier; // where its cached rows are read from; null for a template run
    double startedAtMs = -1;

    Member(SimRequest request, String templateId, int steps, int tokens) {
      this(request, templateId, steps, tokens, tokens, 0);
    }

    Member(
        SimRequest request,
        String templateId,
        int steps,
        int tokens,
        int fullTokens,
        int fullSteps) {
      this.request = request;
      this.owner = request;
      this.templateId = templateId;
      this.steps = steps;
      this.tokens = tokens;
      this.fullTokens = fullTokens;
      this.fullSteps = fullSteps;
    }

    /** In the quality knob's full steps: every token computed. */
    boolean fullNow() {
      return step < fullSteps;
    }

    /** Tokens its next step computes. */
    int tokensNow() {
      return fullNow() ? fullTokens : tokens;
    }

    boolean templateRun() {
      return request == null;
    }
  }

  final int index;
  final StepBatch<Member> batch;
  final LruBytes<String> memory;
  final LruBytes<String> disk;
  private final Set<String> promoting = new HashSet<>();
  private final SimConfig config;
  private final CostModel planCosts;
  private final SimCounters counters;

  /** What the live worker reports: the fitted load time of one segment per tier (ms). */
  private final Map<TierKind, Double> msPerSegment = new EnumMap<>(TierKind.class);

  boolean stepping;

  /**
   * The live worker's per-token step cost estimate (an EMA of step ms / tokens); -1 until known.
   */
  double msPerToken = -1;

  SimWorker(
      int index,
      SimConfig config,
      CostModel planCosts,
      SimCounters counters,
      boolean continuous,
      StepPolicy policy,
      long maxStepRows,
      long sharedRows) {
    this.index = index;
    this.config = config;
    this.planCosts = planCosts;
    this.counters = counters;
    this.batch = new StepBatch<>(config.maxBatch(), continuous, policy, maxStepRows, sharedRows);
    this.memory = new LruBytes<>(config.memoryBytes());
    this.disk = new LruBytes<>(config.diskBytes());
    for (Map.Entry<TierKind, LinearFit> e : config.costs().load().entrySet())
      msPerSegment.put(e.getKey(), Math.max(0, e.getValue().predict(config.segmentBytes())));
  }

  /**
   * A routed request joins the queue; a template held only on disk starts its promotion to memory
   * (as the live store's prefetch does). Returns the template whose promotion started, or null.
   */
  String enqueue(Member m) {
    batch.enqueue(m);
    String t = m.templateId;
    if (!memory.contains(t) && disk.contains(t) && promoting.add(t)) return t;
    return null;
  }

  /** A promotion read finished: the template is in memory if the disk still holds it. */
  void promoted(String templateId, int steps) {
    promoting.remove(templateId);
    if (disk.contains(templateId)) memory.put(templateId, config.templateBytes(steps));
  }

  /** Admits what fits at {@code nowMs}; true when a step is to run. */
  boolean admit(double nowMs) {
    batch.admit(
        new BatchRules<>() {
          @Override
          public boolean held(Member m) {
            return false; // the live store never holds a task back (it reads disk pipelined)
          }

          @Override
          public StepBatch.Start start(Member m) {
            if (m.startedAtMs < 0) m.startedAtMs = nowMs;
            if (m.started) return StepBatch.Start.RUN;
            if (m.request.maskedTokens() == 0) {
              counters.finished(m.request, nowMs);
              return StepBatch.Start.DONE;
            }
            TierKind tier = lookup(m.templateId);
            counters.lookup(tier);
            if (tier == null) return new StepBatch.Start.AwaitTemplate(m.templateId);
            m.started = true;
            m.tier = m.request.maskedTokens() >= config.model().imageTokens() ? null : tier;
            return StepBatch.Start.RUN;
          }

          @Override
          public Member templateRun(String templateId, Member first) {
            counters.templateRun();
            Member run = new Member(null, templateId, first.steps, config.model().imageTokens());
            run.owner = first.request;
            run.started = true;
            return run;
          }

          @Override
          public StepWork work(Member m) {
            return SimWorker.work(m);
          }
        });
    return !batch.stepping().isEmpty();
  }

  /** What the step policy knows of a member: as the live loop describes it. */
  static StepWork work(Member m) {
    return new StepWork(
        m.fullTokens,
        m.steps - m.step,
        m.owner.deadlineKey(),
        m.owner.priority(),
        Math.max(0, m.fullSteps - m.step),
        m.tokens);
  }

  /** The fastest tier holding the template, marking it used there; null when absent. */
  private TierKind lookup(String templateId) {
    if (memory.touch(templateId)) return TierKind.MEMORY;
    if (disk.touch(templateId)) return TierKind.DISK;
    return null;
  }

  /** The latency of one step of the running batch: Algorithm 1 on the calibrated costs. */
  double stepMs() {
    List<CostModel.Entry> entries = new ArrayList<>();
    for (Member m : batch.stepping()) {
      if (m.templateRun()) entries.add(CostModel.Entry.uncached(1));
      else if (m.tier == null || m.fullNow())
        entries.add(CostModel.Entry.uncached(config.branches()));
      else
        entries.add(
            new CostModel.Entry(
                m.request.maskedTokens(), config.branches(), m.tier, config.precision()));
    }
    return planCosts.costs(config.model(), entries).plan().latency();
  }

  /**
   * Ends the step that took {@code stepMs}: every member advances; finished edits complete,
   * finished template runs are committed to the tiers and their waiters rejoin the queue head.
   */
  void stepDone(double nowMs, double stepMs) {
    // as the live worker reports it: step time over the rows the step computed
    int tokens = 0;
    for (Member m : batch.stepping()) {
      tokens += m.tokensNow();
      ++m.step;
    }
    List<Member> done = batch.leave(m -> m.step == m.steps);
    for (Member m : done) {
      if (!m.templateRun()) {
        counters.finished(m.request, nowMs);
        continue;
      }
      commit(m.templateId, m.steps);
      batch.templateRunDone(
          m.templateId,
          w -> {
            w.started = true;
            w.tier =
                w.request.maskedTokens() >= config.model().imageTokens() ? null : TierKind.MEMORY;
            return true;
          });
    }
    if (tokens > 0)
      msPerToken = msPerToken < 0 ? stepMs / tokens : 0.8 * msPerToken + 0.2 * stepMs / tokens;
  }

  /** A finished template run: memory now, disk too (the live writer's background write). */
  private void commit(String templateId, int steps) {
    long bytes = config.templateBytes(steps);
    memory.put(templateId, bytes);
    disk.put(templateId, bytes);
  }

  /** The balancer's view of this worker, exact at this instant. */
  WorkerView view() {
    List<MemberLoad> running = new ArrayList<>();
    for (Member m : batch.running()) running.add(new MemberLoad(m.tokens, m.steps - m.step));
    int queuedTokens = 0;
    for (Member m : batch.queued()) queuedTokens += m.tokens;
    // no remote tier here: a template is in this worker's memory, on its disk, or needs a run
    Map<String, TierKind> held = new HashMap<>();
    for (String t : disk.keys()) held.put(t, TierKind.DISK);
    for (String t : memory.keys()) held.put(t, TierKind.MEMORY);
    return new WorkerView(
        index, running, batch.queued().size(), queuedTokens, batch.maxBatch(), held, msPerSegment);
  }
}
