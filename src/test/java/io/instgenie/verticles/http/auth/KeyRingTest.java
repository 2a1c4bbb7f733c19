package io.instgenie.verticles.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.policy.Priority;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyRingTest {
  static String line(String id, String tenant, String secret, String extra) {
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\""
        + tenant
        + "\",\"sha256\":\""
        + KeyRing.sha256Hex(secret)
        + "\",\"role\":\"user\""
        + extra
        + "}";
  }

  @Test
  @DisplayName("a secret finds its key by SHA-256; the tenant's limits are the strictest declared")
  void findsAndMergesLimits() {
    KeyRing r =
        KeyRing.parse(
            "{\"keys\":["
                + line("k1", "acme", "s1", ",\"max_unfinished\":4,\"priority\":\"batch\"")
                + ","
                + line("k2", "acme", "s2", ",\"max_unfinished\":2,\"requests_per_second\":5")
                + ","
                + line("k3", "bolt", "s3", "")
                + "]}",
            "test");
    assertEquals("k1", r.find("s1").id());
    assertEquals(Priority.BATCH, r.find("s1").priority());
    assertEquals(Priority.INTERACTIVE, r.find("s2").priority());
    assertNull(r.find("s4"));
    assertNull(r.find(""));
    assertEquals(new TenantLimits(2, 5, 0), r.limits("acme"));
    assertEquals(TenantLimits.NONE, r.limits("bolt"));
  }

  @Test
  @DisplayName("the hash is SHA-256 of the secret's UTF-8 bytes (a known vector)")
  void knownVector() {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        KeyRing.sha256Hex("abc"));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[]|must hold {\"keys\": [...]}",
        "{\"keys\":[{\"id\":\"a\",\"tenant\":\"t\",\"sha256\":\"00\",\"role\":\"user\"}]}|sha256"
            + " must be 64 hex digits",
        "{\"keys\":[{\"id\":\"a\",\"tenant\":\"t\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"root\"}]}|role"
            + " must be user or admin",
        "{\"keys\":[{\"id\":\"a\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"user\"}]}|tenant"
            + " is missing",
        "{\"keys\":[{\"id\":\"a\",\"tenant\":\"t\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"user\",\"secret\":\"x\"}]}|unknown"
            + " field 'secret'",
        "{\"keys\":[{\"id\":\"a\",\"tenant\":\"t\",\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\",\"role\":\"user\",\"max_unfinished\":-1}]}|max_unfinished"
            + " must be a whole number >= 0"
      })
  @DisplayName("a bad keys file is refused with a message naming what is wrong")
  void badFiles(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KeyRing.parse(json, "k.json"));
    assertTrue(e.getMessage().startsWith("keys file k.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  @DisplayName("two keys with one id, or one secret, are refused")
  void duplicates() {
    String a = line("k", "t", "s", "");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyRing.parse("{\"keys\":[" + a + "," + a + "]}", "k.json"))
            .getMessage()
            .contains("id 'k' is repeated"));
    String b = line("k2", "t", "s", "");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyRing.parse("{\"keys\":[" + a + "," + b + "]}", "k.json"))
            .getMessage()
            .contains("another key's too"));
  }

  @Test
  @DisplayName(
      "a token bucket of 3 at 2 per second: 3 requests pass, the 4th waits 500 ms, and half a"
          + " second later one more passes (a simulated clock)")
  void tokenBucket() {
    RateLimiter l = new RateLimiter();
    TenantLimits lim = new TenantLimits(0, 2, 3);
    long t0 = 1_000_000_000L;
    for (int i = 0; i < 3; i++) assertEquals(0, l.take("t", lim, t0), "request " + i);
    assertEquals(500, l.take("t", lim, t0));
    assertEquals(0, l.take("other", lim, t0), "another tenant has its own bucket");
    assertEquals(0, l.take("t", lim, t0 + 500_000_000L));
    assertEquals(500, l.take("t", lim, t0 + 500_000_000L));
    assertEquals(0, l.take("t", TenantLimits.NONE, t0), "no rate: no limit");
  }

  @Test
  @DisplayName("result URLs verify until they expire, and not with another id or signature")
  void resultUrls() {
    ResultUrls u = new ResultUrls("secret", 60);
    String path = u.path("abc", 1000);
    assertEquals("/results/abc?expires=1060&sig=", path.substring(0, path.indexOf("sig=") + 4));
    String sig = path.substring(path.indexOf("sig=") + 4);
    assertTrue(u.valid("abc", "1060", sig, 1060));
    assertTrue(!u.valid("abc", "1060", sig, 1061), "expired");
    assertTrue(!u.valid("abd", "1060", sig, 1000), "another id");
    assertTrue(!u.valid("abc", "1061", sig, 1000), "another expiry");
    assertTrue(!new ResultUrls("other", 60).valid("abc", "1060", sig, 1000), "another secret");
  }
}
