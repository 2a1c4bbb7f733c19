package io.instgenie.verticles.http.auth;

import java.util.Locale;

/** What a key may do: {@code user} the {@code /v1} API, {@code admin} also metrics and admin. */
public enum Role {
  USER,
  ADMIN;

  /** Whether this role includes {@code needed}. */
  public boolean allows(Role needed) {
    return this == ADMIN || needed == USER;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code user} or {@code admin}. */
  public static Role parse(String s) {
    for (Role r : values()) if (r.wire().equals(s)) return r;
    throw new IllegalArgumentException("role must be user or admin, got '" + s + "'");
  }
}
