package io.instgenie.kernels.scenes;

import java.util.ArrayList;
import java.util.List;

/**
 * Scene captions in vocabulary words, at most {@link #MAX_WORDS}: the objects, most salient first,
 * as "[a|an] [size] colour shape" joined by "and", then optionally the background ("on green
 * background", "on red white stripes"). Colour and shape are always there; a caption that would be
 * too long drops its articles, then the background, then the sizes (three bare objects are exactly
 * eight words).
 */
public final class Captions {
  /** The prompt length of the default model. */
  public static final int MAX_WORDS = 8;

  /** The most objects a caption can name within {@link #MAX_WORDS}. */
  public static final int MAX_OBJECTS = 3;

  /** Which optional parts a caption asks for before trimming to {@link #MAX_WORDS}. */
  public record Style(boolean articles, boolean sizes, boolean background) {}

  private Captions() {}

  /** The caption of these objects (already in salience order) on this background. */
  public static String describe(List<SceneObject> objects, Background background, Style style) {
    if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
      throw new IllegalArgumentException(
          "a caption names 1 to " + MAX_OBJECTS + " objects, got " + objects.size());
    }
    boolean articles = style.articles();
    boolean sizes = style.sizes();
    boolean withBackground = style.background();
    while (true) {
      List<String> words = new ArrayList<>();
      for (SceneObject o : objects) {
        if (!words.isEmpty()) words.add("and");
        words.addAll(phrase(o, articles, sizes));
      }
      if (withBackground) words.addAll(background.words());
      if (words.size() <= MAX_WORDS) return String.join(" ", words);
      if (articles) {
        articles = false;
      } else if (withBackground) {
        withBackground = false;
      } else {
        sizes = false; // terminates: 3 bare objects are 8 words
      }
    }
  }

  /** "[a|an] [size] colour shape" for one object. */
  public static List<String> phrase(SceneObject o, boolean article, boolean size) {
    List<String> words = new ArrayList<>(4);
    if (size) words.add(o.size().word());
    words.add(o.colour().word());
    words.add(o.shape().word());
    if (article) words.add(0, "aeiou".indexOf(words.get(0).charAt(0)) >= 0 ? "an" : "a");
    return words;
  }
}
