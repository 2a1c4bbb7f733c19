package io.instgenie.verticles.policy;

import java.util.Locale;

/** The routing policies of the balancer, by their configuration names. */
public enum Routing {
  /** Algorithm 2: the lowest estimated completion cost, template residency included. */
  COST("cost"),
  /** Workers in turn, blind to load (the Diffusers-style baseline). */
  ROUND_ROBIN("round-robin"),
  /** The fewest running plus queued requests. */
  FEWEST_REQUESTS("fewest-requests"),
  /** The fewest masked tokens per step over running plus queued requests. */
  FEWEST_MASKED_TOKENS("fewest-masked-tokens");

  private final String configName;

  Routing(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration files, environment variables and flags. */
  public String configName() {
    return configName;
  }

  /** Parses a configuration name (case-insensitive; {@code _} accepted for {@code -}). */
  public static Routing parse(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Routing r : values()) if (r.configName.equals(n)) return r;
    throw new IllegalArgumentException(
        "routing must be cost, round-robin, fewest-requests or fewest-masked-tokens, got '"
            + s
            + "'");
  }
}
