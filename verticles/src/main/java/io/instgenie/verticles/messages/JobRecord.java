package io.instgenie.verticles.messages;

import java.util.List;

/**
 * A job as the cluster's job table holds it (one JSON value per id): the node that keeps its live
 * record ({@code home}) and the node that runs it ({@code runner}, null until placed), its state
 * and events so far, and the task itself (the codec's wire form, base64) until it ends.
 */
public record JobRecord(
    String id,
    String home,
    String runner,
    JobStatus status,
    String templateId,
    int steps,
    long seed,
    boolean templateOnly,
    Integer position,
    int step,
    String node,
    Timings timings,
    String error,
    List<JobEvent> events,
    String task,
    String tenant) {

  public boolean terminal() {
    return status.terminal();
  }

  public Registration registration() {
    return new Registration(
        id, templateId, steps, seed, templateOnly, Long.MAX_VALUE, new Owner(tenant, 0));
  }

  public JobSnapshot snapshot() {
    return new JobSnapshot(
        id,
        status,
        templateId,
        steps,
        seed,
        position,
        step,
        node,
        timings,
        error,
        List.copyOf(events),
        tenant);
  }
}
