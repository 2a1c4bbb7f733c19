package io.instgenie.verticles.observe;

import io.instgenie.verticles.messages.Origin;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Log lines about one edit: its id, tenant and trace id go into the MDC for the one call, and out
 * again, because event-loop and step-loop threads serve many edits in turn.
 */
public final class EditLog {
  /** The tenant of an edit of the open service (no keys file). */
  public static final String NO_TENANT = "-";

  public static final String EDIT_ID = "edit_id";
  public static final String TENANT = "tenant";
  public static final String TRACE_ID = "trace_id";

  private EditLog() {}

  /** Logs {@code message} (and {@code error} when not null) with the edit's keys in the MDC. */
  public static void log(
      Logger log, Level level, String editId, Origin origin, String message, Throwable error) {
    if (!log.isEnabledForLevel(level)) return;
    String traceId = EditTracing.traceId(origin.traceparent());
    try (var a = MDC.putCloseable(EDIT_ID, editId);
        var b = MDC.putCloseable(TENANT, origin.tenant() == null ? NO_TENANT : origin.tenant());
        var c = MDC.putCloseable(TRACE_ID, traceId == null ? "" : traceId)) {
      log.atLevel(level).setCause(error).log(message);
    }
  }

  public static void info(Logger log, String editId, Origin origin, String message) {
    log(log, Level.INFO, editId, origin, message, null);
  }
}
