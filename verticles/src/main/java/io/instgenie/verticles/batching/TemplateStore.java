package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.Activations;
import java.util.Optional;

/** Where a denoise worker finds and keeps template activations (the cache tier behind it). */
public interface TemplateStore {
  Optional<Activations> lookup(String templateId, int steps);

  /** Fresh activations for a template run to write into. */
  Activations newRun(String templateId, int steps);

  /** Keeps a finished template run's activations. */
  void commit(String templateId, int steps, Activations activations);

  /**
   * Starts moving a template held only in a slower tier into memory (a queued edit's, while it
   * waits).
   */
  default void prefetch(String templateId, int steps) {}

  /** True while a prefetch of the template from a slower tier is still running (its tasks wait). */
  default boolean loading(String templateId, int steps) {
    return false;
  }

  /** Flushes and releases what the store holds (the worker is stopping). */
  default void close() {}

  /** Template ids held, for the balancer's view. */
  java.util.List<String> held();
}
