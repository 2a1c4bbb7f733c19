package io.instgenie.verticles.messages;

/**
 * Where a task came from, for its log lines and spans wherever it runs: its tenant (null when the
 * service runs open) and the W3C {@code traceparent} of the request that made it (null: untraced).
 */
public record Origin(String tenant, String traceparent) {
  public static final Origin NONE = new Origin(null, null);
}
