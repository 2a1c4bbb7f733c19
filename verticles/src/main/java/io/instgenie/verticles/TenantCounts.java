package io.instgenie.verticles;

import io.instgenie.verticles.messages.Owner;
import java.util.HashMap;
import java.util.Map;

/**
 * Unfinished jobs per tenant in one job table, and the per-tenant limit checked against them.
 * Touched only by the job table's handlers. Jobs without a tenant (the open service) are not
 * counted.
 */
final class TenantCounts {
  private final Map<String, Integer> unfinished = new HashMap<>();

  /** Why a new job of {@code owner} is refused (its tenant is at its limit), or null. */
  String refusal(Owner owner) {
    if (owner.tenant() == null || owner.maxUnfinished() == 0) return null;
    int held = unfinished.getOrDefault(owner.tenant(), 0);
    if (held < owner.maxUnfinished()) return null;
    return "tenant "
        + owner.tenant()
        + " has "
        + held
        + " unfinished edits (its limit is "
        + owner.maxUnfinished()
        + "); retry when one has finished";
  }

  void started(Owner owner) {
    if (owner.tenant() != null) unfinished.merge(owner.tenant(), 1, Integer::sum);
  }

  void ended(Owner owner) {
    if (owner.tenant() != null && unfinished.merge(owner.tenant(), -1, Integer::sum) <= 0)
      unfinished.remove(owner.tenant());
  }
}
