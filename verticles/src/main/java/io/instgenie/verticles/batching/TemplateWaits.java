package io.instgenie.verticles.batching;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The members of a {@link StepBatch} that wait, without a slot, for the template run of their
 * template: one list per template run in the batch. A member that stops waiting other than by
 * rejoining the queue is forgotten by the batch.
 *
 * @param <M> a member of the batch
 */
public final class TemplateWaits<M> {
  private final Map<String, List<M>> waiting = new LinkedHashMap<>();
  private final Consumer<M> forget;

  TemplateWaits(Consumer<M> forget) {
    this.forget = forget;
  }

  /** True while a template run of {@code templateId} is in the batch. */
  public boolean running(String templateId) {
    return waiting.containsKey(templateId);
  }

  /** The members waiting for the template run of {@code templateId} (empty when none runs). */
  public List<M> waiters(String templateId) {
    return Collections.unmodifiableList(waiting.getOrDefault(templateId, List.of()));
  }

  /** Each template run's waiters (read-only, never empty), in the order the runs joined. */
  public void forEachWaiting(BiConsumer<String, List<M>> action) {
    waiting.forEach((t, w) -> action.accept(t, Collections.unmodifiableList(w)));
  }

  /** A template run of {@code templateId} joined the batch: {@code first} waits for it. */
  void open(String templateId, M first) {
    List<M> waiters = new ArrayList<>();
    waiters.add(first);
    waiting.put(templateId, waiters);
  }

  /** {@code m} waits for the template run of {@code templateId}, which is in the batch. */
  void join(String templateId, M m) {
    waiting.get(templateId).add(m);
  }

  /** The template run of {@code templateId} ended: its waiters, in joining order (or none). */
  List<M> close(String templateId) {
    List<M> waiters = waiting.remove(templateId);
    return waiters == null ? List.of() : waiters;
  }

  /** Removes every waiter, of any template run, that {@code which} matches; answers them. */
  public List<M> removeAll(Predicate<M> which) {
    List<M> out = new ArrayList<>();
    for (List<M> waiters : waiting.values()) {
      for (Iterator<M> it = waiters.iterator(); it.hasNext(); ) {
        M m = it.next();
        if (which.test(m)) {
          out.add(m);
          it.remove();
          forget.accept(m);
        }
      }
    }
    return out;
  }

  /** Removes the first waiter, of any template run, that {@code which} matches. */
  public boolean removeFirst(Predicate<M> which) {
    for (List<M> waiters : waiting.values()) {
      for (Iterator<M> it = waiters.iterator(); it.hasNext(); ) {
        M m = it.next();
        if (which.test(m)) {
          it.remove();
          forget.accept(m);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The template run of {@code templateId} ended without its activations (it failed): answers its
   * waiters, which no longer wait.
   */
  public List<M> abandon(String templateId) {
    List<M> waiters = close(templateId);
    for (M w : waiters) forget.accept(w);
    return waiters;
  }
}
