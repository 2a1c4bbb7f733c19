package io.instgenie.verticles.messages;

/**
 * Who an edit belongs to: its tenant (null when the service runs without API keys) and the most
 * unfinished edits that tenant may hold on this node's job table (0: no per-tenant limit).
 */
public record Owner(String tenant, int maxUnfinished) {
  /** No tenant (the service runs open), no per-tenant limit. */
  public static final Owner NONE = new Owner(null, 0);

  public Owner {
    if (maxUnfinished < 0) throw new IllegalArgumentException("maxUnfinished < 0");
  }
}
