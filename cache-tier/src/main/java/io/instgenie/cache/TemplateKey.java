package io.instgenie.cache;

import java.util.Objects;
import java.util.regex.Pattern;

/** A cached template: its id (which already covers model and step count) and its step count. */
public record TemplateKey(String id, int steps) {
  // ids become file names, so nothing that could climb out of the cache folder
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  public TemplateKey {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "template id must be 1 to 128 of [A-Za-z0-9_-], got '" + id + "'");
    }
    if (steps <= 0) throw new IllegalArgumentException("steps must be positive, got " + steps);
  }

  /** The disk tier's file name, {@code <id>-<steps>.igc}. */
  public String fileName() {
    return id + "-" + steps + ".igc";
  }

  @Override
  public String toString() {
    return id + "/" + steps;
  }
}
