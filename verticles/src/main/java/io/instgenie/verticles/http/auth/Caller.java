package io.instgenie.verticles.http.auth;

import io.instgenie.verticles.messages.Owner;
import io.instgenie.verticles.policy.Priority;

/**
 * Who sent a request: its key's id and tenant (both null when the service runs open), its role, its
 * tenant's limits, its default priority class and the secret that signs its webhooks.
 */
public record Caller(
    String keyId,
    String tenant,
    Role role,
    TenantLimits limits,
    Priority priority,
    String webhookSecret) {
  /** Anyone, when no keys file is configured: every route, no tenant, no limit. */
  public static final Caller OPEN =
      new Caller(null, null, Role.ADMIN, TenantLimits.NONE, Priority.INTERACTIVE, null);

  /**
   * Whether it may see what {@code ownerTenant} owns: the open service sees everything, a tenant
   * only its own.
   */
  public boolean sees(String ownerTenant) {
    return tenant == null || tenant.equals(ownerTenant);
  }

  /** The owner its edits get in the job table. */
  public Owner owner() {
    return new Owner(tenant, limits.maxUnfinished());
  }
}
