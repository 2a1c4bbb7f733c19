package io.instgenie.kernels.edit;

/** Told after each denoising step of a synchronous run. */
@FunctionalInterface
public interface StepListener {
  StepListener NONE = (phase, step, total) -> {};

  /**
   * @param phase "template" or "edit"
   */
  void stepDone(String phase, int step, int total);
}
