package io.instgenie.verticles.messages;

/** Admission's reply: the job id, its template id, and the seed and steps it runs with. */
public record Accepted(String id, String templateId, long seed, int steps) {}
