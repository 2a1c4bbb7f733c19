package io.instgenie.kernels.io;

/** An image input that cannot be decoded; the message names the input (template, mask, ...). */
public class ImageFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImageFormatException(String message) {
    super(message);
  }

  public ImageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
