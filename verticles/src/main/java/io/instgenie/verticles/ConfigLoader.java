package io.instgenie.verticles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.cache.Precision;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves {@link ServiceConfig}: defaults, then a JSON file (snake_case keys), then environment
 * variables ({@code INSTGENIE_} + the key in upper case), then explicit overrides (flags). The
 * order is written here once; unknown keys in the file are an error.
 *
 * <p>{@code mode} is resolved first and supplies the defaults of {@code batching}, {@code cache}
 * and {@code routing}; each of those three, set explicitly from any source, wins over the mode (so
 * {@code mode=baseline} with {@code cache=on} is the baseline plus the activation cache).
 */
public final class ConfigLoader {
  /** Every key, with its meaning (the README lists them). */
  public static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("mode", "instgenie or baseline: the defaults of batching, cache and routing");
    KEYS.put("host", "interface to listen on");
    KEYS.put("port", "HTTP port (0 = any free port)");
    KEYS.put("max_batch", "sequences of requests per denoising step per worker");
    KEYS.put("queue_capacity", "edits admitted but not finished, beyond which POST answers 429");
    KEYS.put("max_body_bytes", "largest request body; larger ones get 413");
    KEYS.put("batching", "continuous (join at any step) or static (batch runs to completion)");
    KEYS.put(
        "cache",
        "on (masked tokens only, activations cached) or off (every edit recomputes every token)");
    KEYS.put(
        "routing",
        "cost (Algorithm 2), round-robin, fewest-requests or fewest-masked-tokens: how the"
            + " balancer picks a denoise worker");
    KEYS.put("workers", "denoise workers (one per device; CPU = 1)");
    KEYS.put("cache_memory_bytes", "template activations kept in memory");
    KEYS.put("cache_dir", "folder of the disk tier of template activations (empty = none)");
    KEYS.put("cache_disk_bytes", "largest size of the disk tier");
    KEYS.put("cache_precision", "f32 or bf16: storage precision of cached activations");
    KEYS.put("model_dir", "model folder (empty = the bundled default)");
    KEYS.put("backend", "auto, cuda, cpu or reference");
    KEYS.put("retry_after_seconds", "Retry-After of a 429");
    KEYS.put("sync_timeout_ms", "how long the synchronous OpenAI endpoint waits");
    KEYS.put("cluster", "on: join a Hazelcast cluster of nodes (off = one node, the default)");
    KEYS.put(
        "cluster_config",
        "Hazelcast XML or YAML file of the cluster (empty = -Dvertx.hazelcast.config, then"
            + " cluster.xml on the classpath, then vertx-hazelcast's multicast default)");
    KEYS.put(
        "remote_fetch_mib_per_s",
        "node-to-node bandwidth assumed when pricing a fetch of cached activations from a peer");
    KEYS.put(
        "remote_round_trip_ms",
        "fixed cost of one segment request to a peer, added to its bytes at the bandwidth above");
    KEYS.put(
        "scheduling",
        "fcfs, srpt (least remaining work first) or edf (earliest deadline first): which members"
            + " each denoising step runs");
    KEYS.put(
        "max_step_tokens",
        "computed rows one step may run beside max_batch (0 = auto: none under fcfs, else the"
            + " calibrated end of the flat step-time region, at least one image's tokens)");
    KEYS.put(
        "aging_steps",
        "worker steps a waiting member takes to climb one priority class (the starvation guard)");
  }

  private ConfigLoader() {}

  public static ServiceConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> v = new HashMap<>();
    if (file != null) v.putAll(readFile(file));
    for (String key : KEYS.keySet()) {
      String e = env.get("INSTGENIE_" + key.toUpperCase(Locale.ROOT));
      if (e != null) v.put(key, e);
    }
    v.putAll(overrides);
    ServiceConfig d = ServiceConfig.defaults();
    ServiceConfig.Mode mode = modeOf(v.get("mode"), d.mode());
    return new ServiceConfig(
        v.getOrDefault("host", d.host()),
        intOf(v, "port", d.port()),
        intOf(v, "max_batch", d.maxBatch()),
        intOf(v, "queue_capacity", d.queueCapacity()),
        longOf(v, "max_body_bytes", d.maxBodyBytes()),
        batchingOf(v.get("batching"), mode.batching()),
        onOff("cache", v.get("cache"), mode.activationCache()),
        intOf(v, "workers", d.workers()),
        longOf(v, "cache_memory_bytes", d.cacheMemoryBytes()),
        pathOf(v.get("cache_dir"), d.cacheDir()),
        longOf(v, "cache_disk_bytes", d.cacheDiskBytes()),
        precisionOf(v.get("cache_precision"), d.cachePrecision()),
        pathOf(v.get("model_dir"), d.modelDir()),
        v.getOrDefault("backend", d.backend()),
        intOf(v, "retry_after_seconds", d.retryAfterSeconds()),
        longOf(v, "sync_timeout_ms", d.syncTimeoutMs()),
        mode,
        routingOf(v.get("routing"), mode.routing()),
        onOff("cluster", v.get("cluster"), d.cluster()),
        pathOf(v.get("cluster_config"), d.clusterConfig()),
        doubleOf(v, "remote_fetch_mib_per_s", d.remoteFetchMibPerS()),
        doubleOf(v, "remote_round_trip_ms", d.remoteRoundTripMs()),
        schedulingOf(v.get("scheduling"), d.scheduling()),
        intOf(v, "max_step_tokens", d.maxStepTokens()),
        intOf(v, "aging_steps", d.agingSteps()));
  }

  private static Map<String, String> readFile(Path file) {
    try {
      JsonNode root = new ObjectMapper().readTree(Files.readString(file));
      if (root == null || !root.isObject())
        throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
      Map<String, String> out = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!KEYS.containsKey(e.getKey())) {
          throw new IllegalArgumentException(
              "config file "
                  + file
                  + ": unknown key '"
                  + e.getKey()
                  + "' (known: "
                  + String.join(", ", KEYS.keySet())
                  + ")");
        }
        out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  private static int intOf(Map<String, String> v, String key, int dflt) {
    return (int) longOf(v, key, dflt);
  }

  private static long longOf(Map<String, String> v, String key, long dflt) {
    String s = v.get(key);
    if (s == null) return dflt;
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "config: " + key + " must be a whole number, got '" + s + "'");
    }
  }

  private static ServiceConfig.Batching batchingOf(String s, ServiceConfig.Batching dflt) {
    if (s == null) return dflt;
    try {
      return ServiceConfig.Batching.valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "config: batching must be continuous or static, got '" + s + "'");
    }
  }

  private static ServiceConfig.Mode modeOf(String s, ServiceConfig.Mode dflt) {
    if (s == null) return dflt;
    try {
      return ServiceConfig.Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "config: mode must be instgenie or baseline, got '" + s + "'");
    }
  }

  private static Routing routingOf(String s, Routing dflt) {
    if (s == null) return dflt;
    try {
      return Routing.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config: " + e.getMessage());
    }
  }

  private static Scheduling schedulingOf(String s, Scheduling dflt) {
    if (s == null) return dflt;
    try {
      return Scheduling.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config: " + e.getMessage());
    }
  }

  private static boolean onOff(String key, String s, boolean dflt) {
    if (s == null) return dflt;
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default ->
          throw new IllegalArgumentException(
              "config: " + key + " must be on or off, got '" + s + "'");
    };
  }

  private static double doubleOf(Map<String, String> v, String key, double dflt) {
    String s = v.get(key);
    if (s == null) return dflt;
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("config: " + key + " must be a number, got '" + s + "'");
    }
  }

  private static Precision precisionOf(String s, Precision dflt) {
    if (s == null) return dflt;
    try {
      return Precision.valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "config: cache_precision must be f32 or bf16, got '" + s + "'");
    }
  }

  private static Path pathOf(String s, Path dflt) {
    if (s == null) return dflt;
    return s.isBlank() ? null : Path.of(s);
  }
}
