package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.policy.StepPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A denoise worker's step loop, on its own thread: before every step, cancelled and finished
 * members leave and the step's members are chosen by the scheduling policy within the step budget
 * (continuous batching; a started member not chosen keeps its state for a later step) or, in static
 * mode, queued tasks join only when the batch is empty. One packed forward per step for all
 * members, its block modes chosen for the whole batch by {@link BlockPlanner} (Algorithm 1 once a
 * member reads its template from disk through the pipelined loader). A template run is a member
 * like an edit; edits of a template being run wait for it without holding a slot, and concurrent
 * first edits of one template share one template run. An edit whose cached rows fail to load (a
 * corrupt segment) starts over and finds or redoes its template. Plain Java: the service and a
 * simulator can drive it.
 *
 * <p>Every member that leaves other than by finishing leaves through {@link LoopEndings#fail}: an
 * exception while it starts, in a step, or while it finishes ends it (and, for a template run, its
 * waiters) with {@code failed}, and the loop goes on. The inbox is {@link Inbox}'s, admission
 * {@link LoopAdmission}'s and the wording of events {@link LoopEvents}'.
 */
public final class StepLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

  private final DitForward forward;
  private final LoopListener listener;
  private final Faults faults;
  private final BlockPlanner planner;
  private final Inbox inbox = new Inbox();
  private final StepBatch<Member> batch;
  private final LoopEvents events;
  private final LoopAdmission admission;
  private final LoopArrivals arrivals;
  private final LoopEndings endings;
  private final List<Sequence> seqs = new ArrayList<>();
  private final LongSupplier clock;
  private volatile boolean stopped;
  private volatile LoopLoad load = LoopLoad.IDLE;
  private int lastRows;
  private final StepCosts costs = new StepCosts();
  private final LoopSchedule schedule;
  private final LoopHandBack handBack = new LoopHandBack();
  private final LoopKeepAlive keepAlive = new LoopKeepAlive();

  /**
   * Steps this loop has run; events carry it as {@code worker_step} so joins can be counted in
   * steps. Written only by the loop; volatile so a cancel can record the step it arrived at.
   */
  private volatile long stepsRun;

  public StepLoop(
      DitForward forward,
      TemplateStore store,
      LoopListener listener,
      int maxBatch,
      boolean continuous,
      boolean useCache) {
    this(
        forward,
        store,
        listener,
        maxBatch,
        continuous,
        useCache,
        Faults.NONE,
        System::currentTimeMillis);
  }

  /**
   * As above, with a fault-injection seam and the clock deadlines are read on (epoch ms; tests
   * drive it by steps).
   */
  public StepLoop(
      DitForward forward,
      TemplateStore store,
      LoopListener listener,
      int maxBatch,
      boolean continuous,
      boolean useCache,
      Faults faults,
      LongSupplier clock) {
    this.clock = clock;
    this.forward = forward;
    this.listener = listener;
    this.faults = faults;
    this.planner = new BlockPlanner(forward.config());
    this.schedule = new LoopSchedule(forward.config());
    this.batch = new StepBatch<>(maxBatch, continuous);
    this.events = new LoopEvents(listener, () -> stepsRun);
    this.endings = new LoopEndings(batch, events, store, this::join, faults);
    this.admission =
        new LoopAdmission(store, forward.config(), useCache, events, faults, endings::fail);
    this.arrivals =
        new LoopArrivals(batch, events, store, useCache, () -> costs.projectEnds(batch, admission));
  }

  /**
   * Thread-safe: the calibrated costs behind Algorithm 1 (until then, blocks read from disk use the
   * cache everywhere).
   */
  public void useCosts(CostModel calibrated) {
    planner.useCosts(calibrated);
    schedule.calibrated(calibrated);
  }

  /** A waiter whose template run just ended joins the batch as an arriving edit does. */
  private void join(EditMember m, Activations acts) {
    admission.join(m, acts);
  }

  /**
   * The quality knob: edits recompute every token for their first {@code k} steps (the unmasked
   * rows see the prompt while the layout is decided), then use the cache. Call before start.
   */
  public void fullSteps(int k) {
    if (k < 0) throw new IllegalArgumentException("full steps must be >= 0, got " + k);
    admission.fullSteps(k);
  }

  /**
   * Thread-safe: from the next step on, members are chosen by {@code policy} within {@code
   * max_batch} members and {@code maxStepTokens} computed rows (0: {@link StepRows#auto}).
   */
  public void schedule(StepPolicy policy, int maxStepTokens) {
    schedule.set(policy, maxStepTokens);
  }

  /** The row budget of a step in force (after calibration, for the auto budget). */
  public long maxStepRows() {
    return schedule.maxStepRows();
  }

  /** Thread-safe: hands a task to the loop. */
  public void submit(DenoiseTask task) {
    inbox.submit(task);
  }

  /** Thread-safe: asks the loop to drop a queued or running task before its next step. */
  public void cancel(String id) {
    inbox.cancel(id, stepsRun);
  }

  /**
   * The tasks handed to a loop that never ran (its worker failed to start), to be routed again;
   * call only when {@link #run} is not running and will not run.
   */
  public List<DenoiseTask> takeQueued() {
    return inbox.takeTasks();
  }

  /**
   * Thread-safe: from the next turn of the loop on, every queued task (and every one that arrives
   * later) leaves unstarted to {@code to}, which runs on the loop's thread; started members finish.
   */
  public void handBack(Consumer<DenoiseTask> to) {
    handBack.set(to);
    inbox.wake();
  }

  /**
   * Thread-safe: how often a started edit the scheduler holds back re-reports its progress (ms; see
   * {@link LoopKeepAlive}); the worker sets a quarter of {@code stall_ms}.
   */
  public void keepAlive(long periodMs) {
    keepAlive.period(periodMs);
  }

  public void stop() {
    stopped = true;
    inbox.wake();
  }

  public LoopLoad load() {
    return load;
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      for (Member m : batch.running()) m.release();
    }
  }

  private void loop() {
    while (!stopped) {
      try {
        boolean idle = batch.running().isEmpty();
        inbox.drain(idle ? (batch.queued().isEmpty() ? 200 : 2) : 0, arrivals);
        schedule.applyTo(batch);
        endings.expire(clock.getAsLong());
        handBack.apply(batch);
        batch.admit(admission);
        arrivals.publishPositions();
        if (!batch.stepping().isEmpty()) step();
        keepAlive.maybeSend(
            batch, events, () -> costs.projectEnds(batch, admission), clock.getAsLong());
        load = LoopLoad.of(batch, lastRows, costs.forecast(batch, admission));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // the loop must outlive any one batch: a dead step loop would hang every request
        LOG.error("step failed; failing the batch", e);
        for (Member m : batch.leave(m -> true)) endings.fail(m, "internal error: " + e);
      }
    }
  }

  private void step() {
    long t0 = System.nanoTime();
    List<Member> running = List.copyOf(batch.stepping());
    BlockPlanner.Choice choice = planner.plan(running);
    seqs.clear();
    for (Member m : running) {
      // the plan first: asking for a step's source starts its loader on the plan's CACHE blocks
      if (m instanceof EditMember e && e.pipe != null) e.pipe.setPlan(choice.modes());
      m.job().addSequences(seqs);
    }
    faults.check(Faults.Point.STEP);
    long k0 = System.nanoTime();
    try {
      forward.run(seqs, choice.modes());
    } catch (RuntimeException e) {
      if (ReadFailures.restart(batch, endings)) return; // the step is redone at the next turn
      throw e;
    }
    double kernelMs = (System.nanoTime() - k0) / 1e6;
    stepsRun++;
    if (choice.slowest() != null)
      listener.blockModes(choice.slowest(), choice.cached(), choice.recomputed());
    int members = running.size();
    for (Member m : running) m.job().afterStep();
    double stepMs0 = (System.nanoTime() - t0) / 1e6;
    int rows = StepCosts.rows(running);
    costs.measured(stepMs0, rows);
    events.stepped(running, costs.projectEnds(batch, admission), batch);
    for (Member m : batch.leave(m -> m.job().done())) endings.finish(m);
    double stepMs = (System.nanoTime() - t0) / 1e6;
    lastRows = rows;
    load = LoopLoad.of(batch, lastRows, costs.forecast(batch, admission));
    listener.stepDone(members, seqs.size(), stepMs, kernelMs);
  }
}
