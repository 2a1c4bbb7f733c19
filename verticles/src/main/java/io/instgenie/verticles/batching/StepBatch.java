package io.instgenie.verticles.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The batch-formation rules of a denoise worker, apart from what its members compute: a first-in
 * first-out queue, a running batch of at most {@code maxBatch} members that new members join at a
 * step boundary (continuous) or only when it is empty (static), and template runs as batch members
 * that the edits of their template wait for without holding a slot, then rejoin at the head of the
 * queue. Plain Java, one thread: the step loop and the simulator form batches with it.
 *
 * @param <M> a queued or running task (an edit, a registration, or a template run)
 */
public final class StepBatch<M> {
  /** What a member that left the queue does next (see {@link Rules#start}). */
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

  /** The member-specific decisions behind the rules. */
  public interface Rules<M> {
    /** True: the member stays queued, in place, this turn (its template is still being brought). */
    boolean held(M member);

    /** The member left the queue for a free slot: what it does (a cache lookup, for an edit). */
    Start start(M member);

    /**
     * A new template-run member for {@code templateId}, asked for by {@code first}'s start; null
     * when it cannot start (the rules have then ended {@code first}).
     */
    M templateRun(String templateId, M first);
  }

  private final int maxBatch;
  private final boolean continuous;
  private final ArrayDeque<M> queue = new ArrayDeque<>();
  private final List<M> running = new ArrayList<>();
  private final Map<String, List<M>> waiting = new LinkedHashMap<>();

  public StepBatch(int maxBatch, boolean continuous) {
    if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
    this.maxBatch = maxBatch;
    this.continuous = continuous;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** Adds a member at the tail of the queue; answers its position (1 = head). */
  public int enqueue(M m) {
    queue.add(m);
    return queue.size();
  }

  /** Puts members back at the head of the queue, in the given order (they start over). */
  public void requeueFirst(List<M> members) {
    for (int i = members.size() - 1; i >= 0; i--) queue.addFirst(members.get(i));
  }

  /** The queue, head first, read-only. */
  public Collection<M> queued() {
    return Collections.unmodifiableCollection(queue);
  }

  /** The running batch in joining order, read-only. */
  public List<M> running() {
    return Collections.unmodifiableList(running);
  }

  /** Removes the first queued member that {@code which} matches; answers it, or null. */
  public M removeQueued(Predicate<M> which) {
    for (Iterator<M> it = queue.iterator(); it.hasNext(); ) {
      M m = it.next();
      if (which.test(m)) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  /** Removes the first running member that {@code which} matches; answers it, or null. */
  public M removeRunning(Predicate<M> which) {
    for (Iterator<M> it = running.iterator(); it.hasNext(); ) {
      M m = it.next();
      if (which.test(m)) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  /** Takes the running members that {@code leaving} matches out of the batch, in joining order. */
  public List<M> leave(Predicate<M> leaving) {
    List<M> out = new ArrayList<>();
    for (Iterator<M> it = running.iterator(); it.hasNext(); ) {
      M m = it.next();
      if (leaving.test(m)) {
        out.add(m);
        it.remove();
      }
    }
    return out;
  }

  /** Moves queued members into the batch while there is room, in queue order. */
  public void admit(Rules<M> rules) {
    if (!continuous && !running.isEmpty()) return;
    for (Iterator<M> it = queue.iterator(); it.hasNext() && running.size() < maxBatch; ) {
      M m = it.next();
      if (rules.held(m)) continue;
      it.remove();
      Start s = rules.start(m);
      if (s instanceof Start.Run) {
        running.add(m);
      } else if (s instanceof Start.AwaitTemplate a) {
        List<M> waiters = waiting.get(a.templateId());
        if (waiters == null) {
          M run = rules.templateRun(a.templateId(), m);
          if (run == null) continue; // it could not start: the rules ended its first member
          waiters = new ArrayList<>();
          waiting.put(a.templateId(), waiters);
          running.add(run);
        }
        waiters.add(m);
      }
    }
  }

  /** True while a template run of {@code templateId} is in the batch. */
  public boolean templateRunning(String templateId) {
    return waiting.containsKey(templateId);
  }

  /** The members waiting for the template run of {@code templateId} (empty when none runs). */
  public List<M> waiters(String templateId) {
    return Collections.unmodifiableList(waiting.getOrDefault(templateId, List.of()));
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
    List<M> waiters = waiting.remove(templateId);
    if (waiters == null) return;
    for (int i = waiters.size() - 1; i >= 0; i--) {
      M w = waiters.get(i);
      if (rejoin.test(w)) queue.addFirst(w);
    }
  }

  /** Removes every queued member that {@code which} matches; answers them in queue order. */
  public List<M> removeAllQueued(Predicate<M> which) {
    List<M> out = new ArrayList<>();
    for (Iterator<M> it = queue.iterator(); it.hasNext(); ) {
      M m = it.next();
      if (which.test(m)) {
        out.add(m);
        it.remove();
      }
    }
    return out;
  }

  /** Removes every waiter, of any template run, that {@code which} matches; answers them. */
  public List<M> removeWaiters(Predicate<M> which) {
    List<M> out = new ArrayList<>();
    for (List<M> waiters : waiting.values()) {
      for (Iterator<M> it = waiters.iterator(); it.hasNext(); ) {
        M m = it.next();
        if (which.test(m)) {
          out.add(m);
          it.remove();
        }
      }
    }
    return out;
  }

  /** Removes the first waiter, of any template run, that {@code which} matches. */
  public boolean removeWaiter(Predicate<M> which) {
    for (List<M> waiters : waiting.values()) if (waiters.removeIf(which)) return true;
    return false;
  }

  /**
   * The template run of {@code templateId} ended without its activations (it failed): answers its
   * waiters, which no longer wait.
   */
  public List<M> abandonTemplateRun(String templateId) {
    List<M> waiters = waiting.remove(templateId);
    return waiters == null ? List.of() : waiters;
  }
}
