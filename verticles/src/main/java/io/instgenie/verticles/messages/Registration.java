package io.instgenie.verticles.messages;

/**
 * Admission asks the job table to take a new job (it answers 429 when full); the job must end by
 * {@code deadlineAtMs} (epoch ms; {@code Long.MAX_VALUE}: no deadline). {@code owner}: its tenant
 * and that tenant's limit of unfinished edits (429 past it).
 */
public record Registration(
    String id,
    String templateId,
    int steps,
    long seed,
    boolean templateOnly,
    long deadlineAtMs,
    Owner owner) {
  public Registration {
    if (owner == null) owner = Owner.NONE;
  }
}
