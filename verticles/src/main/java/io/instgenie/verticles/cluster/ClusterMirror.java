package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A job of this home as the cluster's job table holds it: where it runs, its task (kept until the
 * job ends, for re-admission), and the writes of its record, one in flight, the latest state
 * written last.
 */
public final class JobMirror {
  private final ClusterState cluster;
  private final Registration reg;
  private final Supplier<JobSnapshot> snapshot;
  private String runner;
  private DenoiseTask task;
  private boolean writing;
  private boolean dirty;

  JobMirror(ClusterState cluster, Registration reg, Supplier<JobSnapshot> snapshot) {
    this.cluster = cluster;
    this.reg = reg;
    this.snapshot = snapshot;
  }

  /** Where the balancer sent the job: kept for re-admission, and written. */
  public void placed(Placement p) {
    runner = p.node();
    task = p.task();
    write();
  }

  /** A {@code started} event gets the node that runs the job ({@code node}); others pass as is. */
  public JobEvent withNode(JobEvent e) {
    if (!e.type().equals("started") || runner == null) return e;
    Map<String, Object> d = new LinkedHashMap<>(e.data());
    d.put("node", runner);
    return new JobEvent(e.id(), e.seq(), e.type(), d);
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

  /** The job ended: its task is no longer kept. */
  public void ended() {
    task = null;
  }

  /**
   * Copies the job's record into the cluster's job table. The future completes with this write; at
   * once when one is in flight (the latest state is written after it).
   */
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
        s.timings(),
        s.error(),
        s.events(),
        task == null ? null : ClusterState.encodeTask(task));
  }
}
