package io.instgenie.verticles.messages;

/**
 * The balancer tells its node's job table where a task went (node id and worker index), with the
 * task itself, kept until the job ends so it can be re-admitted if that node leaves. Node-local.
 */
public record Placement(String node, int worker, DenoiseTask task) {}
