package io.instgenie.kernels.io;

/** A model or tensor file that cannot be used; the message is written for whoever supplied it. */
public class ModelFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
