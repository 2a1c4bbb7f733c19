package io.instgenie.verticles;

import static io.instgenie.verticles.ServiceSettings.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.verticles.http.auth.SecurityConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Resolves {@link ServiceConfig}: defaults, then a JSON file (snake_case keys), then environment
 * variables ({@code INSTGENIE_} + the key in upper case), then explicit overrides (flags). The
 * order is written here once; the settings themselves (type, range, default) are declared once in
 * {@link ServiceSettings}. An unknown key in the file, an unknown {@code INSTGENIE_*} variable, a
 * value of the wrong type, out of range or past its type's range is an error that names it.
 *
 * <p>{@code mode} is resolved first and supplies the defaults of {@code batching}, {@code cache}
 * and {@code routing}; each of those three, set explicitly from any source, wins over the mode (so
 * {@code mode=baseline} with {@code cache=on} is the baseline plus the activation cache).
 */
public final class ConfigLoader {
  /** What every setting's environment variable starts with. */
  public static final String ENV_PREFIX = "INSTGENIE_";

  /** Variables of the {@code instgenie} launcher script, not settings: never "unknown". */
  static final Set<String> LAUNCHER_ENV = Set.of("INSTGENIE_JAVA_OPTS");

  private ConfigLoader() {}

  public static ServiceConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = new HashMap<>();
    if (file != null) raw.putAll(checked(readFile(file), key -> "config file " + file + ": "));
    raw.putAll(checked(fromEnvironment(env), key -> "config: " + byKey(key).env() + ": "));
    for (String key : overrides.keySet())
      if (byKey(key) == null) throw unknown("key '" + key + "'", false);
    raw.putAll(overrides);
    Values v = new Values(raw);
    ServiceConfig.Mode mode = v.get(MODE);
    return new ServiceConfig(
        v.get(HOST),
        v.get(PORT),
        v.get(MAX_BATCH),
        v.get(QUEUE_CAPACITY),
        v.get(MAX_BODY_BYTES),
        v.orElse(BATCHING, mode.batching()),
        v.orElse(CACHE, mode.activationCache()),
        v.get(WORKERS),
        v.get(CACHE_MEMORY_BYTES),
        v.get(CACHE_DIR),
        v.get(CACHE_DISK_BYTES),
        v.get(CACHE_PRECISION),
        v.get(CACHE_MODE),
        v.get(MODEL_DIR),
        v.get(BACKEND),
        v.get(RETRY_AFTER_SECONDS),
        v.get(SYNC_TIMEOUT_MS),
        mode,
        v.orElse(ROUTING, mode.routing()),
        v.get(CLUSTER),
        v.get(CLUSTER_CONFIG),
        v.get(REMOTE_FETCH_MIB_PER_S),
        v.get(REMOTE_ROUND_TRIP_MS),
        v.get(MAX_STEPS),
        v.get(MAX_TEMPLATE_RUN_BYTES),
        v.get(MAX_EDIT_MS),
        v.get(STALL_MS),
        v.get(DRAIN_TIMEOUT_MS),
        v.get(SCHEDULING),
        v.get(MAX_STEP_TOKENS),
        v.get(AGING_STEPS),
        v.get(FULL_STEPS),
        new SecurityConfig(
            v.get(KEYS_FILE),
            SecurityConfig.patterns(v.get(WEBHOOK_ALLOW)),
            v.get(WEBHOOK_SECRET),
            v.get(WEBHOOK_RETRY_MS),
            v.get(RESULT_URL_SECRET),
            v.get(RESULT_URL_TTL_S)),
        new ServiceConfig.Observability(v.get(LOG_FORMAT), v.get(OTLP_ENDPOINT)));
  }

  /**
   * Parses every value of one source on its own, so a bad value is refused even where a later
   * source (an environment variable, a flag) overrides it.
   */
  private static Map<String, String> checked(
      Map<String, String> source, Function<String, String> where) {
    for (Map.Entry<String, String> e : source.entrySet()) {
      try {
        byKey(e.getKey()).parse(e.getValue());
      } catch (IllegalArgumentException bad) {
        String why = bad.getMessage().replaceFirst("^config: ", "");
        throw new IllegalArgumentException(where.apply(e.getKey()) + why, bad);
      }
    }
    return source;
  }

  /** Raw values by key, parsed on demand by their setting. */
  private record Values(Map<String, String> raw) {
    <T> T get(Setting<T> s) {
      String r = raw.get(s.key());
      return r == null ? s.defaultValue() : s.parse(r);
    }

    /** The value set explicitly, else {@code dflt} (another setting's consequence). */
    <T> T orElse(Setting<T> s, T dflt) {
      T v = get(s);
      return v == null ? dflt : v;
    }
  }

  /** The {@code INSTGENIE_*} variables, by key; an unknown one is an error. */
  private static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || LAUNCHER_ENV.contains(e.getKey())) continue;
      Setting<?> s = null;
      for (Setting<?> c : ALL) if (c.env().equals(e.getKey())) s = c;
      if (s == null) throw unknown("environment variable " + e.getKey(), true);
      out.put(s.key(), e.getValue());
    }
    return out;
  }

  private static Map<String, String> readFile(Path file) {
    try {
      JsonNode root =
          new ObjectMapper()
              .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // a key twice is an error
              .readTree(Files.readString(file));
      if (root == null || !root.isObject())
        throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
      Map<String, String> out = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (byKey(e.getKey()) == null)
          throw new IllegalArgumentException(
              "config file "
                  + file
                  + ": "
                  + unknown("key '" + e.getKey() + "'", false).getMessage());
        if (e.getValue().isContainerNode())
          throw new IllegalArgumentException(
              "config file "
                  + file
                  + ": "
                  + e.getKey()
                  + " must be a single value, got "
                  + e.getValue());
        if (e.getValue().isNull())
          throw new IllegalArgumentException(
              "config file " + file + ": " + e.getKey() + " is null; leave it out for its default");
        Setting<?> s = byKey(e.getKey());
        if (s.textual() && !e.getValue().isTextual())
          throw new IllegalArgumentException(
              "config file "
                  + file
                  + ": "
                  + e.getKey()
                  + " must be a JSON string (a "
                  + s.type()
                  + "), got "
                  + e.getValue());
        out.put(e.getKey(), e.getValue().asText());
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "config file "
              + file
              + " is not valid JSON: "
              + e.getOriginalMessage()
              + " (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ")");
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e);
    }
  }

  private static IllegalArgumentException unknown(String what, boolean env) {
    TreeSet<String> known = new TreeSet<>();
    for (Setting<?> s : ALL) known.add(env ? s.env() : s.key());
    return new IllegalArgumentException(
        "config: unknown " + what + " (known: " + String.join(", ", known) + ")");
  }
}
