package io.instgenie.kernels.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a training run got where it is, across stops and resumes: the wall time spent training so
 * far, the command of every sitting, oldest first (a command is recorded once per sitting), and,
 * for a run started from a model folder's weights ({@code --init-from}), that model's provenance,
 * so that every checkpoint and export of the run still says what came before it.
 */
public record RunHistory(
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("commands") List<String> commands,
    @JsonProperty("starts_from") @JsonInclude(JsonInclude.Include.NON_NULL)
        Map<String, Object> startsFrom) {
  public static final RunHistory EMPTY = new RunHistory(0, List.of(), null);

  public RunHistory {
    if (!(wallSeconds >= 0 && Double.isFinite(wallSeconds))) {
      throw new IllegalArgumentException("wall seconds must be ≥ 0, got " + wallSeconds);
    }
    commands = commands == null ? List.of() : List.copyOf(commands);
    startsFrom =
        startsFrom == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(startsFrom));
  }

  /** This history, recording {@code from} as where the run started unless it already says. */
  public RunHistory orStartingFrom(Map<String, Object> from) {
    if (startsFrom != null) return this;
    return new RunHistory(wallSeconds, commands, from == null ? Map.of() : from);
  }

  /** This history with {@code seconds} more and, when not null, one more command. */
  public RunHistory plus(double seconds, String command) {
    List<String> c = new ArrayList<>(commands);
    if (command != null) c.add(command);
    return new RunHistory(wallSeconds + seconds, c, startsFrom);
  }
}
