package io.instgenie.kernels.model;

/**
 * A prompt the model cannot encode; the message says why and, for unknown words, lists the
 * vocabulary.
 */
public final class PromptException extends IllegalArgumentException {
  public PromptException(String message) {
    super(message);
  }
}
