package io.instgenie.verticles.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a job is in its life; the last three are terminal (a job ends exactly once). */
public enum JobStatus {
  QUEUED,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  /** The one terminal check. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  /** Its JSON form: the name in lower case. */
  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return wire();
  }

  @JsonCreator
  public static JobStatus of(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
