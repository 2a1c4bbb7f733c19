package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.CacheMode;
import io.instgenie.verticles.ServiceConfig.Batching;
import io.instgenie.verticles.ServiceConfig.Mode;
import io.instgenie.verticles.policy.Routing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mode and routing switches through every source ConfigLoader reads. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private Path file(String json) throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  @DisplayName("by default the service is InstGenIE: continuous batching, cache on, cost routing")
  void defaults() {
    ServiceConfig c = ConfigLoader.load(null, Map.of(), Map.of());
    assertEquals(Mode.INSTGENIE, c.mode());
    assertEquals(Batching.CONTINUOUS, c.batching());
    assertTrue(c.activationCache());
    assertEquals(Routing.COST, c.routing());
  }

  @Test
  @DisplayName("mode=baseline means static batching, cache off and round-robin routing")
  void baseline() throws Exception {
    for (ServiceConfig c :
        new ServiceConfig[] {
          ConfigLoader.load(file("{\"mode\": \"baseline\"}"), Map.of(), Map.of()),
          ConfigLoader.load(null, Map.of("INSTGENIE_MODE", "baseline"), Map.of()),
          ConfigLoader.load(null, Map.of(), Map.of("mode", "BASELINE"))
        }) {
      assertEquals(Mode.BASELINE, c.mode());
      assertEquals(Batching.STATIC, c.batching());
      assertFalse(c.activationCache());
      assertEquals(Routing.ROUND_ROBIN, c.routing());
    }
  }

  @Test
  @DisplayName(
      "an explicit single switch wins over the mode from any source, and the others keep the mode's value")
  void switchesOverrideMode() throws Exception {
    ServiceConfig c =
        ConfigLoader.load(
            file("{\"cache\": \"on\"}"),
            Map.of("INSTGENIE_ROUTING", "fewest-masked-tokens"),
            Map.of("mode", "baseline"));
    assertEquals(Mode.BASELINE, c.mode());
    assertTrue(c.activationCache(), "cache from the file");
    assertEquals(Routing.FEWEST_MASKED_TOKENS, c.routing(), "routing from the environment");
    assertEquals(Batching.STATIC, c.batching(), "batching from the mode");

    ServiceConfig d =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of("mode", "instgenie", "batching", "static", "routing", "fewest_requests"));
    assertEquals(Batching.STATIC, d.batching());
    assertTrue(d.activationCache());
    assertEquals(Routing.FEWEST_REQUESTS, d.routing());
  }

  @Test
  @DisplayName("the usual order holds for mode and routing: flags over environment over file")
  void order() throws Exception {
    Path f = file("{\"mode\": \"baseline\", \"routing\": \"fewest-requests\"}");
    ServiceConfig fromEnv =
        ConfigLoader.load(
            f, Map.of("INSTGENIE_MODE", "instgenie", "INSTGENIE_ROUTING", "cost"), Map.of());
    assertEquals(Mode.INSTGENIE, fromEnv.mode());
    assertEquals(Routing.COST, fromEnv.routing());
    ServiceConfig fromFlag =
        ConfigLoader.load(f, Map.of("INSTGENIE_ROUTING", "cost"), Map.of("routing", "round-robin"));
    assertEquals(Mode.BASELINE, fromFlag.mode());
    assertEquals(Routing.ROUND_ROBIN, fromFlag.routing());
  }

  @Test
  @DisplayName("a bad mode or routing name is an error that lists the accepted values")
  void badValues() {
    IllegalArgumentException m =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigLoader.load(null, Map.of(), Map.of("mode", "diffusers")));
    assertTrue(m.getMessage().contains("instgenie or baseline"), m.getMessage());
    IllegalArgumentException r =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigLoader.load(null, Map.of("INSTGENIE_ROUTING", "random"), Map.of()));
    assertTrue(r.getMessage().contains("fewest-masked-tokens"), r.getMessage());
  }

  private static String error(Runnable load) {
    return assertThrows(IllegalArgumentException.class, load::run).getMessage();
  }

  @Test
  @DisplayName(
      "a number past its type's range is an error, never a silent wrap (max_batch=4294967297)")
  void overflow() {
    String m = error(() -> ConfigLoader.load(null, Map.of(), Map.of("max_batch", "4294967297")));
    assertEquals(
        "config: max_batch must be a whole number from 1 to 2147483647, got '4294967297'", m);
    String l =
        error(
            () ->
                ConfigLoader.load(
                    null, Map.of("INSTGENIE_CACHE_DISK_BYTES", "99999999999999999999"), Map.of()));
    assertTrue(l.contains("cache_disk_bytes must be a whole number >= 1"), l);
  }

  @Test
  @DisplayName(
      "durations stop at a year (result URLs at a year of seconds), so deadlines and expiries"
          + " computed from them cannot overflow")
  void durationsBounded() {
    for (String key :
        List.of(
            "max_edit_ms", "stall_ms", "drain_timeout_ms", "sync_timeout_ms", "webhook_retry_ms")) {
      String m = error(() -> ConfigLoader.load(null, Map.of(), Map.of(key, "9223372036854775807")));
      assertTrue(m.contains(key + " must be a whole number from"), m);
      assertTrue(m.contains("to 31536000000,"), m);
    }
    String ttl =
        error(
            () ->
                ConfigLoader.load(
                    null, Map.of(), Map.of("result_url_ttl_s", "9223372036854775807")));
    assertTrue(ttl.contains("to 31536000,"), ttl);
    assertEquals(
        31_536_000_000L,
        ConfigLoader.load(null, Map.of(), Map.of("max_edit_ms", "31536000000")).maxEditMs());
  }

  @Test
  @DisplayName("each kind of bad value names the key, what it must be and what it got")
  void badKinds() {
    assertEquals(
        "config: port must be a whole number, got 'eighty'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "eighty"))));
    assertEquals(
        "config: port must be a whole number from 0 to 65535, got '70000'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "70000"))));
    assertEquals(
        "config: queue_capacity must be a whole number from 1 to 2147483647, got '0'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("queue_capacity", "0"))));
    assertEquals(
        "config: remote_round_trip_ms must be a number from 0 to 1000000000, got 'NaN'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("remote_round_trip_ms", "NaN"))));
    assertEquals(
        "config: cache must be on or off, got 'maybe'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("cache", "maybe"))));
    assertEquals(
        "config: cache_precision must be f32 or bf16, got 'f16'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("cache_precision", "f16"))));
    assertEquals(
        "config: max_steps must be a whole number from 1 to 1000000, got '-5'",
        error(() -> ConfigLoader.load(null, Map.of(), Map.of("max_steps", "-5"))));
  }

  @Test
  @DisplayName("an unknown key in the file names it and lists every valid key")
  void unknownFileKey() throws Exception {
    Path f = file("{\"max_bach\": 4}");
    String m = error(() -> load(f));
    assertTrue(m.contains("unknown key 'max_bach'"), m);
    for (Setting<?> s : ServiceSettings.ALL) assertTrue(m.contains(s.key()), m);
  }

  @Test
  @DisplayName("an unknown INSTGENIE_* variable names it and lists every valid variable")
  void unknownVariable() {
    String m = error(() -> ConfigLoader.load(null, Map.of("INSTGENIE_MAXBATCH", "4"), Map.of()));
    assertTrue(m.contains("unknown environment variable INSTGENIE_MAXBATCH"), m);
    for (Setting<?> s : ServiceSettings.ALL) assertTrue(m.contains(s.env()), m);
    // other variables are not ours, nor the launcher's INSTGENIE_JAVA_OPTS
    ConfigLoader.load(
        null, Map.of("PATH", "/bin", "INSTGENIEX", "1", "INSTGENIE_JAVA_OPTS", "-Xmx1g"), Map.of());
  }

  @Test
  @DisplayName("a bad value in the file is refused even where a flag overrides it; a key twice too")
  void everySourceChecked() throws Exception {
    Path f = file("{\"port\": \"abc\"}");
    String m = error(() -> ConfigLoader.load(f, Map.of(), Map.of("port", "8081")));
    assertTrue(m.contains("config file " + f) && m.contains("port must be a whole number"), m);
    m =
        error(
            () ->
                ConfigLoader.load(
                    null, Map.of("INSTGENIE_MAX_BATCH", "x"), Map.of("max_batch", "4")));
    assertTrue(m.startsWith("config: INSTGENIE_MAX_BATCH: max_batch must be a whole number"), m);
    Path twice = file("{\"max_batch\": 4, \"max_batch\": 5}");
    m = error(() -> load(twice));
    assertTrue(m.contains("Duplicate field 'max_batch'"), m);
    Path number = file("{\"cache_dir\": 5}");
    m = error(() -> load(number));
    assertTrue(m.contains("cache_dir must be a JSON string (a path), got 5"), m);
    m = error(() -> load(dir.resolve("none.json")));
    assertTrue(m.endsWith("no such file"), m);
  }

  @Test
  @DisplayName("README's configuration table is the one the settings declare")
  void readmeTable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String table = ServiceSettings.markdownTable();
    assertTrue(
        readme.contains(table),
        "README.md's configuration table must be exactly ServiceSettings.markdownTable():\n"
            + table);
  }

  private static ServiceConfig load(Path f) {
    return ConfigLoader.load(f, Map.of(), Map.of());
  }

  @Test
  @DisplayName("cache_mode is y by default, read from file, environment or flag, and checked")
  void cacheMode() throws Exception {
    assertEquals(CacheMode.Y, ConfigLoader.load(null, Map.of(), Map.of()).cacheMode());
    assertEquals(
        CacheMode.KV,
        ConfigLoader.load(file("{\"cache_mode\": \"kv\"}"), Map.of(), Map.of()).cacheMode());
    assertEquals(
        CacheMode.AUTO,
        ConfigLoader.load(null, Map.of("INSTGENIE_CACHE_MODE", "auto"), Map.of()).cacheMode());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigLoader.load(null, Map.of(), Map.of("cache_mode", "k/v")));
    assertTrue(e.getMessage().contains("cache_mode"), e.getMessage());
  }
}
