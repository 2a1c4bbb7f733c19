package io.instgenie.kernels.edit;

/** An edit request the engine cannot run as given; the message says what is wrong. */
public final class EditException extends IllegalArgumentException {
  public EditException(String message) {
    super(message);
  }
}
