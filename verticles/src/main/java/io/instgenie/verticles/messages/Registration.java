package io.instgenie.verticles.messages;

/** Admission asks the job table to take a new job (it answers 429 when full). */
public record Registration(
    String id, String templateId, int steps, long seed, boolean templateOnly) {}
