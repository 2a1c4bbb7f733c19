package io.instgenie.verticles.messages;

import java.util.List;

/**
 * A job's current state (its status, queue position, last step and, clustered, the node that runs
 * it) and every event so far, for status requests and late subscribers. {@code tenant}: whose edit
 * it is (null when the service runs without API keys).
 */
public record JobSnapshot(
    String id,
    JobStatus status,
    String templateId,
    int steps,
    long seed,
    Integer queuePosition,
    int step,
    String node,
    Timings timings,
    String error,
    List<JobEvent> events,
    String tenant) {}
