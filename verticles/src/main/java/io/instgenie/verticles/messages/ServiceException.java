package io.instgenie.verticles.messages;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** A failure an actor replies with: an HTTP-like status code and a message for the client. */
public final class ServiceException extends ReplyException {
  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int TOO_LARGE = 413;
  public static final int TOO_MANY = 429;
  public static final int UNAVAILABLE = 503;
  public static final int INTERNAL = 500;

  public ServiceException(int code, String message) {
    super(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /** The status for any failure: its code when it carries one, else 500. */
  public static int statusOf(Throwable t) {
    if (t instanceof ReplyException r
        && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && r.failureCode() >= 400
        && r.failureCode() < 600) {
      return r.failureCode();
    }
    if (t instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT)
      return UNAVAILABLE;
    return INTERNAL;
  }
}
