package io.instgenie.verticles.messages;

import java.util.List;
import java.util.Map;

/** A job's current state and every event so far, for status requests and late subscribers. */
public record JobSnapshot(
    String id,
    String status,
    String templateId,
    int steps,
    long seed,
    Integer queuePosition,
    Map<String, Object> timings,
    String error,
    List<JobEvent> events) {}
