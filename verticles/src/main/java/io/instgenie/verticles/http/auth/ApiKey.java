package io.instgenie.verticles.http.auth;

import io.instgenie.verticles.policy.Priority;
import java.util.Objects;

/**
 * One line of the keys file: the key's id, its tenant, the SHA-256 of its secret (the secret is
 * never stored), its role, its limits, the priority class of the edits it sends without one, and
 * the secret that signs its webhooks (null: the service's {@code webhook_secret}).
 */
public record ApiKey(
    String id,
    String tenant,
    byte[] sha256,
    Role role,
    TenantLimits limits,
    Priority priority,
    String webhookSecret) {
  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(priority, "priority");
    if (sha256 == null || sha256.length != 32)
      throw new IllegalArgumentException("sha256 must be 32 bytes");
  }
}
