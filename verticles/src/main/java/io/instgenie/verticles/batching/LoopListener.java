package io.instgenie.verticles.batching;

import io.instgenie.cache.TierKind;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;

/** What the step loop reports; called on the step-loop thread, so implementations only hand off. */
public interface LoopListener {
  void event(JobEvent event);

  /** An edit finished: its pixels go to post-processing. */
  void finished(String id, RgbImage image, Timings timings);

  /** One step ran: batch members, sequences, wall time and time inside the forward (ms). */
  void stepDone(int members, int sequences, double stepMs, double kernelMs);

  /** Template-cache lookup outcome for an edit that left the queue. */
  void templateLookup(boolean hit);

  /**
   * The block modes a step ran with, for a batch that read cached rows: blocks that used the cache
   * and blocks that recomputed every row; {@code slowest} is the slowest tier read in that step.
   */
  default void blockModes(TierKind slowest, int cached, int recomputed) {}
}
