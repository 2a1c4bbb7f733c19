package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Clustered: a job of this home as the cluster's job table holds it: where it runs, its task (kept
 * until the job ends, for re-admission), and the writes of its record, one in flight, the latest
 * state written last.
 */
final class ClusterMirror implements JobMirror {
  private final ClusterState cluster;
  private final Registration reg;
  private final Supplier<JobSnapshot> snapshot;
  private String runner;
  private DenoiseTask task;
  private boolean writing;
  private boolean dirty;

  ClusterMirror(ClusterState cluster, Registration reg, Supplier<JobSnapshot> snapshot) {
    this.cluster = cluster;
    this.reg = reg;
    this.snapshot = snapshot;
  }

  @Override
  public void placed(Placement p) {
    runner = p.node();
    task = p.task();
    write();
  }

  @Override
  public JobEvent withNode(JobEvent e) {
    if (!(e.body() instanceof JobEvent.Started s) || runner == null) return e;
    return e.withBody(new JobEvent.Started(s.workerStep(), runner));
  }

  /** The node running the job, or null while it is being placed. */
  String runner() {
    return runner;
  }

  /** The job's live state. */
  JobSnapshot snapshot() {
    return snapshot.get();
  }

  /** Placed afresh: no node runs it now; answers its task, to route again. */
  DenoiseTask unplace() {
    runner = null;
    return task;
  }

  /** Taken over from a home that left: runs on {@code node} (null: to be placed) with its task. */
  void adopted(String node, DenoiseTask task) {
    runner = node;
    this.task = task;
  }

  String id() {
    return reg.id();
  }

  @Override
  public void ended() {
    task = null;
  }

  /**
   * Copies the job's record into the cluster's job table. The future completes with this write; at
   * once when one is in flight (the latest state is written after it).
   */
  @Override
  public Future<Void> write() {
    if (writing) {
      dirty = true;
      return Future.succeededFuture();
    }
    writing = true;
    dirty = false;
    return cluster
        .putJob(record())
        .onComplete(
            ar -> {
              writing = false;
              if (dirty) write();
            });
  }

  private JobRecord record() {
    JobSnapshot s = snapshot.get();
    return new JobRecord(
        reg.id(),
        cluster.nodeId(),
        runner,
        s.status(),
        reg.templateId(),
        reg.steps(),
        reg.seed(),
        reg.templateOnly(),
        s.queuePosition(),
        s.step(),
        s.node(),
        s.timings(),
        s.error(),
        s.events(),
        task == null ? null : ClusterState.encodeTask(task),
        reg.owner().tenant());
  }
}
