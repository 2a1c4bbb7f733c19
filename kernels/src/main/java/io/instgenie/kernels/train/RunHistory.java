package io.instgenie.kernels.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * How a training run got where it is, across stops and resumes: the wall time spent training so far
 * and the command of every sitting, oldest first (a command is recorded once per sitting).
 */
public record RunHistory(
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("commands") List<String> commands) {
  public static final RunHistory EMPTY = new RunHistory(0, List.of());

  public RunHistory {
    if (!(wallSeconds >= 0 && Double.isFinite(wallSeconds))) {
      throw new IllegalArgumentException("wall seconds must be ≥ 0, got " + wallSeconds);
    }
    commands = commands == null ? List.of() : List.copyOf(commands);
  }

  /** This history with {@code seconds} more and, when not null, one more command. */
  public RunHistory plus(double seconds, String command) {
    List<String> c = new ArrayList<>(commands);
    if (command != null) c.add(command);
    return new RunHistory(wallSeconds + seconds, c);
  }
}
