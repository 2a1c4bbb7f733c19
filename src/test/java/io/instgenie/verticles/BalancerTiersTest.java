package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.cache.TierKind;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tiers the balancer gives a worker's view for the template it routes. */
class BalancerTiersTest {
  private static final Map<String, TierKind> OWN = Map.of("a", TierKind.DISK);

  @Test
  @DisplayName("a worker reads a template another node holds from the remote tier")
  void heldByAnotherNode() {
    assertEquals(
        Map.of("a", TierKind.DISK, "t", TierKind.REMOTE),
        BalancerVerticle.tiers(OWN, "t", "n1", Set.of("n1", "n2")));
  }

  @Test
  @DisplayName("a worker's own tier wins over a peer's copy")
  void ownTierWins() {
    assertEquals(OWN, BalancerVerticle.tiers(OWN, "a", "n1", Set.of("n2")));
  }

  @Test
  @DisplayName(
      "a sibling worker's copy on the same node is no tier (the remote tier streams from other nodes)")
  void siblingIsNoTier() {
    assertEquals(OWN, BalancerVerticle.tiers(OWN, "t", "n1", Set.of("n1")));
    assertEquals(OWN, BalancerVerticle.tiers(OWN, "t", "", Set.of("")));
  }
}
