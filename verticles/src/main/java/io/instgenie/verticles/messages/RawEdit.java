package io.instgenie.verticles.messages;

import io.instgenie.verticles.policy.Priority;

/**
 * An edit as the HTTP API received it, images still encoded. Either {@code image} or {@code
 * templateId} names the template. {@code alphaMask}: transparent pixels mark the edit (the OpenAI
 * convention) instead of grey levels ≥ 128. {@code templateOnly}: a pre-warm. {@code timeoutMs}:
 * the client's deadline for the edit (null: the server's {@code max_edit_ms}); {@code priority}:
 * its class (null: the API key's default class, interactive without keys); {@code owner}: the
 * caller's tenant and its limit.
 */
public record RawEdit(
    byte[] image,
    byte[] mask,
    String templateId,
    String prompt,
    Integer steps,
    Long seed,
    Float guidance,
    boolean alphaMask,
    boolean templateOnly,
    Long timeoutMs,
    Priority priority,
    Owner owner) {
  public RawEdit {
    if (owner == null) owner = Owner.NONE;
  }

  /** The same edit, owned by {@code o} with the class {@code p} (the caller's default). */
  public RawEdit withOwner(Owner o, Priority p) {
    return new RawEdit(
        image,
        mask,
        templateId,
        prompt,
        steps,
        seed,
        guidance,
        alphaMask,
        templateOnly,
        timeoutMs,
        p,
        o);
  }
}
