package io.instgenie.verticles.messages;

/**
 * A task routed to another node's worker: the node that admitted it ({@code home}, which keeps its
 * job record and receives its events), the worker's index there, and the task.
 */
public record Handoff(String home, int worker, DenoiseTask task) {}
