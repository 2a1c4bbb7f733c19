package io.instgenie.kernels.io;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A file that could not be written, with a message that already says which file and why ("cannot
 * write model.json: No space left on device"): callers print it as it is.
 */
public final class WriteFailure extends UncheckedIOException {
  public WriteFailure(String message, IOException cause) {
    super(message, cause);
  }
}
