package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Placement;
import io.vertx.core.Future;

/**
 * A job's copy outside its job table: in a cluster, its record in the cluster's job table; on one
 * node, nothing ({@link #NONE}).
 */
public interface JobMirror {
  /** Where the balancer sent the job: kept for re-admission, and written. */
  void placed(Placement p);

  /** A {@code started} event gets the node that runs the job; others pass as they are. */
  JobEvent withNode(JobEvent e);

  /** The job ended: its task is no longer kept. */
  void ended();

  /** Copies the job's state out; the future completes once it is written. */
  Future<Void> write();

  /** One node: there is no copy. */
  JobMirror NONE =
      new JobMirror() {
        @Override
        public void placed(Placement p) {}

        @Override
        public JobEvent withNode(JobEvent e) {
          return e;
        }

        @Override
        public void ended() {}

        @Override
        public Future<Void> write() {
          return Future.succeededFuture();
        }
      };
}
