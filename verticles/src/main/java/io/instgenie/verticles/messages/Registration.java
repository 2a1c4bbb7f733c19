package io.instgenie.verticles.messages;

/**
 * Admission asks the job table to take a new job (it answers 429 when full); the job must end by
 * {@code deadlineAtMs} (epoch ms; {@code Long.MAX_VALUE}: no deadline).
 */
public record Registration(
    String id, String templateId, int steps, long seed, boolean templateOnly, long deadlineAtMs) {}
