package io.instgenie.kernels.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The byte-capped LRU policy shared by the memory tier, the device tier and the simulator. */
class LruBytesTest {
  @Test
  @DisplayName("evicts least recently used first, a touch refreshes, oversize is refused")
  void evictsLeastRecentlyUsed() {
    LruBytes<String> lru = new LruBytes<>(10);
    assertEquals(List.of(), lru.put("a", 4));
    assertEquals(List.of(), lru.put("b", 4));
    lru.touch("a");
    assertEquals(List.of("b"), lru.put("c", 4));
    assertEquals(Set.of("a", "c"), lru.keys());
    assertEquals(8, lru.bytes());
    assertEquals(List.of("a", "c"), lru.put("d", 10));
    assertEquals(3, lru.evictions());
    assertNull(lru.put("e", 11));
    assertEquals(List.of(), lru.put("d", 6)); // replaced, not evicted
    assertEquals(6, lru.bytes());
    assertEquals(3, lru.evictions());
  }

  @Test
  @DisplayName("kept keys are never evicted, and when the rest cannot make room nothing is evicted")
  void keptKeysStay() {
    LruBytes<String> lru = new LruBytes<>(10);
    lru.put("a", 4);
    lru.put("b", 4);
    // a is the least recently used but kept: b goes instead
    assertEquals(List.of("b"), lru.put("c", 4, Set.of("a")));
    assertEquals(Set.of("a", "c"), lru.keys());
    // a and c kept (8 bytes): 4 more cannot fit, and neither is touched
    assertNull(lru.put("d", 4, Set.of("a", "c")));
    assertEquals(Set.of("a", "c"), lru.keys());
    assertEquals(8, lru.bytes());
    assertEquals(1, lru.evictions());
  }
}
