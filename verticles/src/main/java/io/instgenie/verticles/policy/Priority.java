package io.instgenie.verticles.policy;

import java.util.Locale;

/** A request's priority class; lower {@link #rank()} runs first, whatever the policy. */
public enum Priority {
  /** A person waits for it (the default). */
  INTERACTIVE("interactive", 0),
  /** Throughput work: runs when no interactive member needs the step, or once it has aged. */
  BATCH("batch", 1);

  private final String configName;
  private final int rank;

  Priority(String configName, int rank) {
    this.configName = configName;
    this.rank = rank;
  }

  public String configName() {
    return configName;
  }

  public int rank() {
    return rank;
  }

  /** Parses {@code interactive} or {@code batch} (case-insensitive). */
  public static Priority parse(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT);
    for (Priority p : values()) if (p.configName.equals(n)) return p;
    throw new IllegalArgumentException("priority must be interactive or batch, got '" + s + "'");
  }
}
