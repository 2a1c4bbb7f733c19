package io.instgenie.verticles.observe;

import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Log lines about one edit: its id, tenant and trace id go into the MDC for the one call, and out
 * again, because event-loop and step-loop threads serve many edits in turn.
 */
public final class EditLog {
  /** Tenants are not there yet: every edit is the open service's. */
  public static final String NO_TENANT = "-";

  public static final String EDIT_ID = "edit_id";
  public static final String TENANT = "tenant";
  public static final String TRACE_ID = "trace_id";

  private EditLog() {}

  /** Logs {@code message} (and {@code error} when not null) with the edit's keys in the MDC. */
  public static void log(
      Logger log, Level level, String editId, String traceId, String message, Throwable error) {
    if (!log.isEnabledForLevel(level)) return;
    try (var a = MDC.putCloseable(EDIT_ID, editId);
        var b = MDC.putCloseable(TENANT, NO_TENANT);
        var c = MDC.putCloseable(TRACE_ID, traceId == null ? "" : traceId)) {
      log.atLevel(level).setCause(error).log(message);
    }
  }

  public static void info(Logger log, String editId, String traceId, String message) {
    log(log, Level.INFO, editId, traceId, message, null);
  }
}
