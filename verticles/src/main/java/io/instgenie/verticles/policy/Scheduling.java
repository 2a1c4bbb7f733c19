package io.instgenie.verticles.policy;

import java.util.Locale;

/** The step-scheduling policies of a denoise worker, by their configuration names. */
public enum Scheduling {
  /** First come, first served: started members in joining order, then the queue; no preemption. */
  FCFS("fcfs"),
  /** Shortest remaining work first: remaining steps × computed rows per step. */
  SRPT("srpt"),
  /** Earliest deadline first (admission time + the request's {@code timeout_ms}). */
  EDF("edf");

  private final String configName;

  Scheduling(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration files, environment variables and flags. */
  public String configName() {
    return configName;
  }

  /** Parses a configuration name (case-insensitive). */
  public static Scheduling parse(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT);
    for (Scheduling p : values()) if (p.configName.equals(n)) return p;
    throw new IllegalArgumentException("scheduling must be fcfs, srpt or edf, got '" + s + "'");
  }
}
