package io.instgenie.verticles.messages;

import io.instgenie.kernels.edit.PreparedEdit;

/**
 * A validated edit (or, with {@code templateOnly}, a template pre-warm) on its way to a denoise
 * worker.
 */
public record DenoiseTask(String id, PreparedEdit edit, boolean templateOnly, long admittedAtMs) {
  /** Sequences per step this task adds to a batch once it runs (guidance branches). */
  public int branches() {
    return templateOnly ? 1 : edit.branches();
  }
}
