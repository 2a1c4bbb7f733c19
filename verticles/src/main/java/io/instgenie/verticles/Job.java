package io.instgenie.verticles;

import io.instgenie.verticles.cluster.JobCluster;
import io.instgenie.verticles.cluster.JobMirror;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.Timings;
import java.util.ArrayList;
import java.util.List;

/** One job's record in the job table ({@link JobsVerticle}), touched only by its handlers. */
final class Job {
  /**
   * How long after its deadline the table ends a job itself: the worker holding it ends it at its
   * next step boundary, this is for a job no worker holds.
   */
  static final long DEADLINE_GRACE_MS = 1000;

  final Registration reg;
  final long createdMs = System.currentTimeMillis();
  final List<JobEvent> events = new ArrayList<>();

  /** When a worker (or the balancer) last said anything of it; its placement counts. */
  long lastHeardMs = createdMs;

  /**
   * Whether its record is written where the job must be (clustered: the cluster's job table) and
   * its client answered; the watchdog waits for that. Jobs adopted from the cluster are.
   */
  boolean recorded;

  boolean placed;
  JobStatus status = JobStatus.QUEUED;
  Integer position;
  int step;
  String node;
  Timings timings;
  String error;
  byte[] png;

  /** The job's copy beyond this table (none on one node). */
  final JobMirror mirror;

  Job(Registration reg, JobCluster cluster) {
    this.mirror = cluster.mirror(reg, this::snapshot);
    this.reg = reg.withoutTask(); // the mirror keeps the task while it may be re-admitted
  }

  String id() {
    return reg.id();
  }

  JobSnapshot snapshot() {
    return new JobSnapshot(
        reg.id(),
        status,
        reg.templateId(),
        reg.steps(),
        reg.seed(),
        position,
        step,
        node,
        timings,
        error,
        List.copyOf(events),
        reg.owner().tenant());
  }

  /** Moves the job's state by one event that does not end it. */
  void apply(JobEvent.Body b) {
    status = b.status();
    position = b instanceof JobEvent.Queued q ? Integer.valueOf(q.position()) : null;
    if (b instanceof JobEvent.Started s && s.node() != null) node = s.node();
    if (b instanceof JobEvent.Step s) step = s.step();
  }

  /**
   * The watchdog's verdict at {@code nowMs}: why the table must end this job itself, or null. Past
   * its deadline (and the grace); running with nothing heard for {@code stallMs}; or taken by no
   * worker within {@code stallMs}.
   */
  String dueEnd(long nowMs, long stallMs) {
    if (status.terminal()) return null;
    if (nowMs - reg.deadlineAtMs() >= DEADLINE_GRACE_MS) return JobEvent.Failed.DEADLINE_EXCEEDED;
    if ((status == JobStatus.RUNNING || !placed) && nowMs - lastHeardMs > stallMs)
      return "no worker has reported on this edit for " + stallMs + " ms (stall_ms)";
    return null;
  }
}
