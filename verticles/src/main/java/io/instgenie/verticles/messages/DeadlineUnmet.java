package io.instgenie.verticles.messages;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Locale;

/**
 * Admission by estimate: an edit whose {@code timeout_ms} the cost model says cannot be met given
 * the workers' queues, refused at once with 503 and the estimate (the HTTP body carries {@code
 * estimate_ms} and {@code timeout_ms} beside {@code error}). A {@link ServiceException}'s kind of
 * failure with two fields more; replied as the object itself, on the local event bus only.
 */
public final class DeadlineUnmet extends ReplyException {
  private final long estimateMs;
  private final long timeoutMs;

  public DeadlineUnmet(double estimateMs, long timeoutMs) {
    super(
        ReplyFailure.RECIPIENT_FAILURE,
        ServiceException.UNAVAILABLE,
        String.format(
            Locale.ROOT,
            "deadline cannot be met: estimated %d ms to finish behind the current queue, timeout_ms"
                + " is %d",
            Math.round(Math.ceil(estimateMs)),
            timeoutMs));
    this.estimateMs = Math.round(Math.ceil(estimateMs));
    this.timeoutMs = timeoutMs;
  }

  /** The estimated ms from admission to the edit's end (rounded up). */
  public long estimateMs() {
    return estimateMs;
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  /** True when an edit estimated to take {@code estimateMs} (NaN: unknown) misses its timeout. */
  public static boolean misses(double estimateMs, long timeoutMs) {
    return estimateMs > timeoutMs; // NaN compares false: no estimate, admitted
  }
}
