package io.instgenie.kernels.edit;

import io.instgenie.kernels.dit.Sequence;
import java.util.List;

/**
 * A request that advances one denoising step at a time, so jobs can join and leave a running batch.
 */
public interface DenoiseJob {
  int steps();

  /** Steps completed so far. */
  int step();

  default boolean done() {
    return step() >= steps();
  }

  /**
   * Appends this step's denoiser evaluations (one per guidance branch, or a template run's one).
   */
  void addSequences(List<Sequence> out);

  /** Consumes the velocities of the evaluations just run and moves to the next step. */
  void afterStep();

  /** Masked image tokens this job computes per evaluation (L for a full one). */
  int activeTokens();
}
