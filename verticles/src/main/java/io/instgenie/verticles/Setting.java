package io.instgenie.verticles;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One setting of the service, declared once: its key (in the JSON file), its environment variable,
 * its type and range, its default and one line of doc. {@link ConfigLoader} parses and checks
 * values with it; the README's table is {@link ServiceSettings#markdownTable()}.
 *
 * @param <T> the parsed value's type
 */
public final class Setting<T> {
  private final String key;
  private final String type;
  private final T dflt;
  private final String defaultDoc;
  private final String doc;
  private final Function<String, T> parser;

  private Setting(
      String key, String type, T dflt, String defaultDoc, String doc, Function<String, T> parser) {
    this.key = key;
    this.type = type;
    this.dflt = dflt;
    this.defaultDoc = defaultDoc;
    this.doc = doc;
    this.parser = parser;
  }

  /** A whole number in [min, max]; a value outside (or past the type's range) is an error. */
  public static Setting<Long> whole(String key, long dflt, long min, long max, String doc) {
    return new Setting<>(
        key,
        range("whole number", min, max),
        dflt,
        String.valueOf(dflt),
        doc,
        s -> {
          BigInteger v;
          try {
            v = new BigInteger(s.trim());
          } catch (NumberFormatException e) {
            throw bad(key, "a whole number", s);
          }
          if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0)
            throw bad(key, range("a whole number", min, max), s);
          return v.longValue();
        });
  }

  /** As {@link #whole}, for an {@code int}. */
  public static Setting<Integer> integer(String key, int dflt, int min, int max, String doc) {
    Setting<Long> w = whole(key, dflt, min, max, doc);
    return new Setting<>(key, w.type, dflt, w.defaultDoc, doc, s -> w.parser.apply(s).intValue());
  }

  /** A finite number in [min, max]. */
  public static Setting<Double> number(
      String key, double dflt, double min, double max, String doc) {
    String r = "number from " + plain(min) + " to " + plain(max);
    return new Setting<>(
        key,
        r,
        dflt,
        plain(dflt),
        doc,
        s -> {
          double v;
          try {
            v = Double.parseDouble(s.trim());
          } catch (NumberFormatException e) {
            throw bad(key, "a number", s);
          }
          if (!(v >= min && v <= max)) throw bad(key, "a " + r, s);
          return v;
        });
  }

  /**
   * {@code on}/{@code off} (also {@code true}/{@code false}); a null default is documented as
   * {@code defaultDoc} (it comes from another setting).
   */
  public static Setting<Boolean> onOff(String key, Boolean dflt, String defaultDoc, String doc) {
    return new Setting<>(
        key,
        "on or off",
        dflt,
        defaultDoc,
        doc,
        s ->
            switch (s.trim().toLowerCase(Locale.ROOT)) {
              case "on", "true" -> true;
              case "off", "false" -> false;
              default -> throw bad(key, "on or off", s);
            });
  }

  /**
   * One of {@code names} (case-insensitive); {@code parse} maps a name to the value. A null default
   * is documented as {@code defaultDoc} (it comes from another setting).
   */
  public static <E> Setting<E> choice(
      String key,
      E dflt,
      String defaultDoc,
      List<String> names,
      Function<String, E> parse,
      String doc) {
    String choices =
        names.size() == 1
            ? names.get(0)
            : String.join(", ", names.subList(0, names.size() - 1))
                + " or "
                + names.get(names.size() - 1);
    return new Setting<>(
        key,
        choices,
        dflt,
        defaultDoc,
        doc,
        s -> {
          String n = s.trim().toLowerCase(Locale.ROOT);
          if (!names.contains(n) && !names.contains(n.replace('_', '-')))
            throw bad(key, choices, s);
          return parse.apply(n);
        });
  }

  /** Free text that must not be blank. */
  public static Setting<String> text(String key, String dflt, String doc) {
    return new Setting<>(
        key,
        "text",
        dflt,
        dflt,
        doc,
        s -> {
          if (s.isBlank()) throw bad(key, "not empty", s);
          return s.trim();
        });
  }

  /** An http(s) URL; empty means none (the default). */
  public static Setting<String> url(String key, String doc) {
    return new Setting<>(
        key,
        "URL",
        null,
        "none (off)",
        doc,
        s -> {
          if (s.isBlank()) return null;
          String u = s.trim();
          if (!u.matches("https?://[^\\s/]+(/\\S*)?")) throw bad(key, "an http(s) URL", s);
          return u;
        });
  }

  /** Free text that may be left out (null, documented as {@code defaultDoc}). */
  public static Setting<String> optionalText(String key, String defaultDoc, String doc) {
    return new Setting<>(key, "text", null, defaultDoc, doc, s -> s.isBlank() ? null : s.trim());
  }

  /** A file or folder; empty means none (the default). */
  public static Setting<Path> path(String key, String defaultDoc, String doc) {
    return new Setting<>(key, "path", null, defaultDoc, doc, s -> s.isBlank() ? null : Path.of(s));
  }

  public String key() {
    return key;
  }

  /** Its environment variable: {@code INSTGENIE_} and the key in upper case. */
  public String env() {
    return ConfigLoader.ENV_PREFIX + key.toUpperCase(Locale.ROOT);
  }

  public String type() {
    return type;
  }

  /** Whether its value is free text (text, a path, a URL): a JSON number or boolean is wrong. */
  public boolean textual() {
    return type.equals("text") || type.equals("path") || type.equals("URL");
  }

  public T defaultValue() {
    return dflt;
  }

  public String defaultDoc() {
    return defaultDoc;
  }

  public String doc() {
    return doc;
  }

  /** Parses and checks a raw value; a bad one is an {@link IllegalArgumentException} naming it. */
  public T parse(String raw) {
    return parser.apply(raw);
  }

  private static String range(String what, long min, long max) {
    if (max == Long.MAX_VALUE) return what + " >= " + min;
    return what + " from " + min + " to " + max;
  }

  private static String plain(double d) {
    return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }

  private static IllegalArgumentException bad(String key, String what, String got) {
    return new IllegalArgumentException(
        "config: " + key + " must be " + what + ", got '" + got + "'");
  }
}
