package io.instgenie.verticles.batching;

import io.instgenie.verticles.policy.StepBudget;
import io.instgenie.verticles.policy.StepCandidate;
import io.instgenie.verticles.policy.StepFill;
import io.instgenie.verticles.policy.StepPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The batch-formation rules of a denoise worker, apart from what its members compute: a first-in
 * first-out queue, the started members (that hold their state between steps), and each step's
 * members, chosen by a {@link StepPolicy} within a {@link StepBudget} ({@code maxBatch} members and
 * a row limit) from the started and the queued members (continuous), or a batch that new members
 * join only when it is empty (static). A started member a step does not choose keeps its state and
 * runs at a later step (it is preempted at the step boundary). Template runs are members like
 * others, that the edits of their template wait for without holding a slot, then rejoin at the head
 * of the queue. Plain Java, one thread: the step loop and the simulator form batches with it.
 *
 * @param <M> a queued or running task (an edit, a registration, or a template run)
 */
public final class StepBatch<M> {
  /** What a member that left the queue does next (see {@link BatchRules#start}). */
  public sealed interface Start {
    /** It joins the running batch. */
    Start RUN = new Run();

    /** It is done without a step (nothing to compute). */
    Start DONE = new Done();

    record Run() implements Start {}

    record Done() implements Start {}

    /** Its template must be run first: it waits for that template run, sharing one in flight. */
    record AwaitTemplate(String templateId) implements Start {}
  }

  private final int maxBatch;
  private final boolean continuous;
  private final ArrayDeque<M> queue = new ArrayDeque<>();
  private final List<M> running = new ArrayList<>();
  private final List<M> stepping = new ArrayList<>();

  /** Per queued or started member: the step count when it last ran or was queued. */
  private final Map<M, Long> since = new IdentityHashMap<>();

  private final TemplateWaits<M> waits = new TemplateWaits<>(since::remove);
  private StepPolicy policy = StepPolicy.FCFS;
  private long maxStepRows = Long.MAX_VALUE;
  private long sharedRows = Long.MAX_VALUE;
  private long steps;

  public StepBatch(int maxBatch, boolean continuous) {
    if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
    this.maxBatch = maxBatch;
    this.continuous = continuous;
  }

  /** As above, scheduled by {@code policy} within {@code maxStepRows} rows a step. */
  public StepBatch(int maxBatch, boolean continuous, StepPolicy policy, long maxStepRows) {
    this(maxBatch, continuous, policy, maxStepRows, Long.MAX_VALUE);
  }

  /**
   * As above, lower-class members sharing a step with interactive work within {@code sharedRows}.
   */
  public StepBatch(
      int maxBatch, boolean continuous, StepPolicy policy, long maxStepRows, long sharedRows) {
    this(maxBatch, continuous);
    schedule(policy, maxStepRows, sharedRows);
  }

  /**
   * From the next step on: the policy, the row limit of a step, and the rows a step that carries
   * interactive-level work may hold while it takes lower-class members ({@link
   * StepBudget#sharedRows}; {@link Long#MAX_VALUE}: none). On the batch's thread, or before it
   * runs.
   */
  public void schedule(StepPolicy policy, long maxStepRows, long sharedRows) {
    if (maxStepRows < 1) throw new IllegalArgumentException("max step rows must be >= 1");
    if (sharedRows < 1) throw new IllegalArgumentException("shared step rows must be >= 1");
    this.policy = policy;
    this.maxStepRows = maxStepRows;
    this.sharedRows = sharedRows;
  }

  public int maxBatch() {
    return maxBatch;
  }

  public StepPolicy policy() {
    return policy;
  }

  /** The budget of one step. */
  public StepBudget budget() {
    return new StepBudget(maxBatch, maxStepRows, sharedRows);
  }

  /** Steps formed so far (each {@link #admit} that chose a member). */
  public long steps() {
    return steps;
  }

  /** Adds a member at the tail of the queue; answers its position (1 = head). */
  public int enqueue(M m) {
    queue.add(m);
    since.put(m, steps);
    return queue.size();
  }

  /** Puts members back at the head of the queue, in the given order (they start over). */
  public void requeueFirst(List<M> members) {
    for (int i = members.size() - 1; i >= 0; i--) {
      queue.addFirst(members.get(i));
      since.putIfAbsent(members.get(i), steps);
    }
  }

  /** The queue, head first, read-only. */
  public Collection<M> queued() {
    return Collections.unmodifiableCollection(queue);
  }

  /**
   * The started members in joining order, read-only: each holds its state, whether or not the
   * current step runs it.
   */
  public List<M> running() {
    return Collections.unmodifiableList(running);
  }

  /** The members the current step runs (chosen by the last {@link #admit}), read-only. */
  public List<M> stepping() {
    return Collections.unmodifiableList(stepping);
  }

  /** Worker steps {@code m} has waited since it last ran or was queued (0 if unknown). */
  public long waited(M m) {
    Long s = since.get(m);
    return s == null ? 0 : steps - s;
  }

  /** Removes the first queued member that {@code which} matches; answers it, or null. */
  public M removeQueued(Predicate<M> which) {
    return first(take(queue, which, false, since::remove));
  }

  /** Removes the first running member that {@code which} matches; answers it, or null. */
  public M removeRunning(Predicate<M> which) {
    return first(take(running, which, false, this::forget));
  }

  /** Takes the running members that {@code leaving} matches out of the batch, in joining order. */
  public List<M> leave(Predicate<M> leaving) {
    return take(running, leaving, true, this::forget);
  }

  private void forget(M m) {
    stepping.remove(m);
    since.remove(m);
  }

  /**
   * Forms the next step: static, queued members join an empty batch in queue order up to {@code
   * maxBatch} and the step runs every started member; continuous, the policy ranks the started and
   * the (not held) queued members and the step takes them in rank order while they fit the budget,
   * starting the queued ones it takes. Answers {@link #stepping()}.
   */
  public List<M> admit(BatchRules<M> rules) {
    stepping.clear();
    if (!continuous) formStatic(rules);
    else formByPolicy(rules);
    if (!stepping.isEmpty()) {
      steps++;
      for (M m : stepping) since.put(m, steps);
    }
    return stepping();
  }

  private void formStatic(BatchRules<M> rules) {
    if (running.isEmpty()) {
      for (Iterator<M> it = queue.iterator(); it.hasNext() && running.size() < maxBatch; ) {
        M m = it.next();
        if (rules.held(m)) continue;
        it.remove();
        start(m, rules);
      }
    }
    stepping.addAll(running);
  }

  /**
   * What the policy ranks: the started members in joining order, then the queued ones (not held) in
   * queue order, each with its work and its wait.
   */
  public List<StepCandidate<M>> candidates(BatchRules<M> rules) {
    List<StepCandidate<M>> candidates = new ArrayList<>();
    long order = 0;
    for (M m : running) candidates.add(new StepCandidate<>(m, rules.work(m), order++, waited(m)));
    for (M m : queue)
      if (!rules.held(m)) candidates.add(new StepCandidate<>(m, rules.work(m), order++, waited(m)));
    return candidates;
  }

  private void formByPolicy(BatchRules<M> rules) {
    List<StepCandidate<M>> candidates = candidates(rules);
    StepFill fill = new StepFill(policy, budget());
    for (StepCandidate<M> c : policy.rank(candidates)) {
      if (fill.full()) break;
      if (!fill.fits(c, c.work().rows())) continue;
      M m = c.member();
      if (!running.contains(m)) {
        queue.remove(m);
        m = start(m, rules);
        if (m == null) continue;
        if (!fill.fits(c, rules.work(m).rows())) continue; // a new template run, for later
      }
      stepping.add(m);
      fill.take(c, rules.work(m).rows());
    }
  }

  /**
   * Starts a member that left the queue; answers what joined the started members (it, or the
   * template run it asked for), or null when nothing did.
   */
  private M start(M m, BatchRules<M> rules) {
    Start s = rules.start(m);
    if (s instanceof Start.Run) {
      running.add(m);
      return m;
    }
    if (s instanceof Start.AwaitTemplate a) {
      if (waits.running(a.templateId())) {
        waits.join(a.templateId(), m);
        return null;
      }
      M run = rules.templateRun(a.templateId(), m);
      if (run == null) { // it could not start: the rules ended its first member
        since.remove(m);
        return null;
      }
      waits.open(a.templateId(), m);
      running.add(run);
      since.put(run, since.getOrDefault(m, steps));
      return run;
    }
    since.remove(m); // done without a step
    return null;
  }

  /**
   * The template run of {@code templateId} finished (it has left the batch): its waiters, last
   * first, go to {@code done}; those it accepts go back to the head of the queue, keeping their
   * order, ahead of later arrivals (through the queue, so the batch never exceeds {@code
   * maxBatch}).
   *
   * @param rejoin told of each waiter; true: it rejoins the queue
   */
  public void templateRunDone(String templateId, Predicate<M> rejoin) {
    List<M> waiters = waits.close(templateId);
    for (int i = waiters.size() - 1; i >= 0; i--) {
      M w = waiters.get(i);
      if (rejoin.test(w)) queue.addFirst(w);
      else since.remove(w);
    }
  }

  /** The members waiting for a template run in the batch. */
  public TemplateWaits<M> waits() {
    return waits;
  }

  /** Removes every queued member that {@code which} matches; answers them in queue order. */
  public List<M> removeAllQueued(Predicate<M> which) {
    return take(queue, which, true, since::remove);
  }

  /**
   * Removes from {@code from} the members {@code which} matches (the first only, unless {@code
   * all}), each told to {@code forget}; answers them in order.
   */
  private static <M> List<M> take(
      Collection<M> from, Predicate<M> which, boolean all, Consumer<M> forget) {
    List<M> out = new ArrayList<>();
    for (Iterator<M> it = from.iterator(); it.hasNext(); ) {
      M m = it.next();
      if (!which.test(m)) continue;
      it.remove();
      forget.accept(m);
      out.add(m);
      if (!all) break;
    }
    return out;
  }

  private static <M> M first(List<M> members) {
    return members.isEmpty() ? null : members.get(0);
  }
}
