package io.instgenie.verticles.observe;

/** The form of the service's log lines. */
public enum LogFormat {
  /** One readable line per event. */
  TEXT,
  /** One JSON object per line (logstash-logback-encoder), MDC keys as fields. */
  JSON
}
