package io.instgenie.verticles.messages;

/**
 * Admission's reply: the job id, its template id, and whether the template's activations were
 * already cached.
 */
public record Accepted(String id, String templateId, long seed, int steps) {}
