package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The byte-capped LRU policy shared by the memory tier and the simulator. */
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
}
