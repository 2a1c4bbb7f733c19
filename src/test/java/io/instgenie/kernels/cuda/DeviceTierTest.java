package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.BlockMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The device tier's bookkeeping, on a fake allocator (no device needed). */
class DeviceTierTest {
  private final List<String> freed = new ArrayList<>();
  private int next;

  private DeviceTier<String> tier(long cap) {
    return new DeviceTier<>(
        cap,
        new DeviceTier.Allocator<>() {
          @Override
          public String allocate(long bytes) {
            return "m" + next++;
          }

          @Override
          public void free(String memory) {
            freed.add(memory);
          }
        });
  }

  @Test
  @DisplayName("a held step is found again with its blocks; the least recently used is evicted")
  void lru() {
    DeviceTier<String> t = tier(300);
    DeviceTier.Entry<String> a = t.acquire("a", 100, 4, Set.of());
    a.present[2] = true;
    t.acquire("b", 100, 4, Set.of());
    t.acquire("c", 100, 4, Set.of());
    assertSame(a, t.acquire("a", 100, 4, Set.of()), "a is held");
    assertTrue(a.present[2]);
    assertEquals(1, t.hits());
    t.acquire("d", 100, 4, Set.of()); // b is now the least recently used
    assertFalse(t.contains("b"));
    assertEquals(List.of("m1"), freed);
    assertEquals(300, t.bytes());
    assertEquals(1, t.evictions());
  }

  @Test
  @DisplayName("a step larger than the cap is refused, and steps in use are never evicted")
  void refusals() {
    DeviceTier<String> t = tier(200);
    assertNull(t.acquire("big", 201, 1, Set.of()));
    assertNotNull(t.acquire("a", 150, 1, Set.of()));
    assertNull(t.acquire("b", 100, 1, Set.of("a")), "a is in use by this forward");
    assertTrue(t.contains("a"));
    assertNotNull(t.acquire("b", 100, 1, Set.of()));
    assertFalse(t.contains("a"));
    assertNull(tier(0).acquire("x", 1, 1, Set.of()), "a zero cap holds nothing");
  }

  @Test
  @DisplayName("a forward that recomputes every block neither admits, evicts nor touches a step")
  void unusedPlanAcquiresNothing() {
    DeviceTier<String> t = tier(200);
    t.acquire("a", 100, 4, Set.of());
    t.acquire("b", 100, 4, Set.of());
    BlockMode[] none = new BlockMode[4];
    Arrays.fill(none, BlockMode.RECOMPUTE);
    assertNull(t.acquireFor("c", 100, none, Set.of()), "no block uses the cache");
    assertNull(t.acquireFor("a", 100, none, Set.of()), "held, but not used by this forward");
    assertEquals(List.of(), freed, "nothing evicted");
    assertEquals(0, t.hits());
    assertEquals(2, t.admissions());
    assertTrue(t.contains("a") && t.contains("b") && !t.contains("c"));
    BlockMode[] one = none.clone();
    one[3] = BlockMode.CACHE;
    assertNotNull(t.acquireFor("c", 100, one, Set.of()), "one cached block admits the step");
    assertFalse(t.contains("a"), "a was the least recently used: not touched by the unused plan");
    assertEquals(List.of("m0"), freed);
  }
}
