package io.instgenie.kernels.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns prompt text into the P word ids of DESIGN.md (lower-cased, white-space split, null-padded).
 */
public final class Prompts {
  private Prompts() {}

  public static int[] encode(ModelConfig c, String prompt) {
    String text = prompt == null ? "" : prompt.trim().toLowerCase(Locale.ROOT);
    String[] words = text.isEmpty() ? new String[0] : text.split("\\s+");
    if (words.length > c.promptTokens()) {
      throw new PromptException(
          "prompt has " + words.length + " words; the model takes at most " + c.promptTokens());
    }
    List<String> unknown = new ArrayList<>();
    int[] ids = new int[c.promptTokens()];
    for (int r = 0; r < words.length; r++) {
      int id = c.vocab().indexOf(words[r]);
      if (id <= 0) unknown.add(words[r]);
      ids[r] = Math.max(id, 0);
    }
    if (!unknown.isEmpty()) {
      throw new PromptException(
          "unknown prompt word"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown)
              + "; the vocabulary is: "
              + String.join(" ", c.vocab().subList(1, c.vocab().size())));
    }
    return ids;
  }

  /** The null prompt: P × {@code <null>}. */
  public static int[] nullPrompt(ModelConfig c) {
    return new int[c.promptTokens()];
  }

  public static boolean isNull(int[] ids) {
    for (int id : ids) if (id != 0) return false;
    return true;
  }
}
