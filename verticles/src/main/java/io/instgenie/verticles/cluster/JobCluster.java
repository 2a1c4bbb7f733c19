package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Registration;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.Supplier;

/**
 * The job table's side beyond this node: {@link ClusterJobs} in a cluster, {@link #SINGLE_NODE}
 * alone (where every job is this table's own and nothing else answers for one).
 */
public interface JobCluster {
  /** The mirror of a job of this table, whose state {@code snapshot} reads. */
  JobMirror mirror(Registration reg, Supplier<JobSnapshot> snapshot);

  /** Starts following the cluster for {@code table}. */
  Future<?> start(Table table);

  /** An event of this node's workers: true when it belongs to a guest and was sent home. */
  boolean forwardHome(JobEvent e);

  /** As {@link #forwardHome(JobEvent)}, for a result. */
  boolean forwardHome(EncodedResult r);

  /** Keeps a completed edit's image where every node can read it. */
  Future<Void> storeImage(String id, byte[] png);

  /** A job this table does not hold (fails with 404 when nobody does). */
  Future<JobSnapshot> job(String id);

  /** The image of a job this table does not hold. */
  Future<Buffer> image(String id);

  /** Cancels a job this table does not hold; answers its status. */
  Future<JobStatus> cancel(String id);

  /** True when some other node holds the template's activations. */
  boolean templateHeld(String templateId);

  /**
   * The node starts draining: clustered, other nodes stop routing to it and its workers give their
   * queued tasks back ({@link #handBack}); alone, nothing (its queue runs here).
   */
  void drain();

  /** A task a draining node's worker gave back unstarted: it runs elsewhere. */
  void handBack(DenoiseTask t);

  /**
   * Re-admits a job of this table whose worker stopped reporting (the watchdog): placed anew, on
   * another node where there is one. False where nothing can take it over (one node): the table
   * then ends it.
   */
  boolean readmit(JobMirror m);

  /** Tasks of other homes that this node's workers hold: a drain waits for them too. */
  int guestsHeld();

  /**
   * True when jobs left unfinished as this node goes away are taken over by the cluster
   * (re-admitted once it has left); false on one node, where they end {@code failed}.
   */
  boolean takesOver();

  /** The node's job table, as the cluster half reads and feeds it. */
  interface Table {
    /** The mirror of the table's job by that id, or null while it holds none. */
    JobMirror mirror(String id);

    /** The mirrors of the table's unfinished jobs. */
    List<JobMirror> unfinished();

    /** Takes in a job whose home left, in the state of its record; answers its mirror. */
    JobMirror adopt(JobRecord r);

    /** An event of one of the table's jobs. */
    void event(JobEvent e);

    /** The result of one of the table's jobs. */
    void result(EncodedResult r);
  }

  /** One node: no mirror, no guests, nobody else to ask. */
  JobCluster SINGLE_NODE = new SingleNodeJobs();
}
