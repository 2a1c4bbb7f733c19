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
    assertTrue(e.getMessage().contains("cache_mode must be y, kv or auto"), e.getMessage());
  }
}
