package io.instgenie.verticles.batching;

import io.instgenie.cache.LinearFit;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.Activations;
import java.util.Map;
import java.util.Optional;

/** Where a denoise worker finds and keeps template activations (the cache tier behind it). */
public interface TemplateStore {
  /**
   * The template's activations for an edit, without a whole-template read on the caller's thread:
   * from memory, read in place; from a slower tier, a {@link
   * io.instgenie.cache.PipelinedActivations} that the step loop plans every step and closes when
   * the edit leaves.
   */
  Optional<Activations> lookup(String templateId, int steps);

  /** Fresh activations for a template run to write into. */
  Activations newRun(String templateId, int steps);

  /** Keeps a finished template run's activations. */
  void commit(String templateId, int steps, Activations activations);

  /**
   * Runs {@code then} once what {@link #commit} keeps of the template is as durable as the store
   * makes it (written to its disk tier, or that write failed); at once for a store without one. May
   * run on another thread.
   */
  default void whenStored(String templateId, int steps, Runnable then) {
    then.run();
  }

  /**
   * Starts moving a template held only in a slower tier into memory, or asking a peer about its
   * copy (a queued edit's, while it waits).
   */
  default void prefetch(String templateId, int steps) {}

  /**
   * True while the store is still getting ready to read the template (a peer asked about its copy):
   * its tasks wait in the queue, in place, while the batch keeps stepping.
   */
  default boolean loading(String templateId, int steps) {
    return false;
  }

  /**
   * Times reads from each tier it has (a short start-up calibration): load time against bytes, for
   * Algorithm 1's Ld. Empty for a store with nothing to calibrate.
   */
  default Map<TierKind, LinearFit> calibrateLoad(int reps) {
    return Map.of();
  }

  /** Flushes and releases what the store holds (the worker is stopping). */
  default void close() {}

  /** Template ids held and the fastest tier holding each, for the balancer's view. */
  Map<String, TierKind> held();

  /**
   * Bytes of one (step, block) segment of the activations it keeps (what one load reads); 0 when it
   * keeps none.
   */
  default int segmentBytes() {
    return 0;
  }
}
