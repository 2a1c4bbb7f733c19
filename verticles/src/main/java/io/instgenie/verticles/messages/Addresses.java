package io.instgenie.verticles.messages;

/** Every event-bus address of the service, in one place. */
public final class Addresses {
  private Addresses() {}

  /** Admission: {@code RawEdit} → {@code Accepted}. */
  public static final String ADMIT = "instgenie.admission.admit";

  /** Post-process: {@code JobResult} → PNG, then on to the job table. */
  public static final String ENCODE = "instgenie.post.encode";

  /** Balancer: {@code DenoiseTask} to route to a worker. */
  public static final String ROUTE = "instgenie.balancer.route";

  /**
   * A header of {@link #ROUTE}: a node whose workers the task should not go back to while others
   * run (it was handed back from there, or its worker there stalled).
   */
  public static final String ROUTE_AVOID = "avoid";

  /**
   * Balancer: a {@code DenoiseTask}'s estimated ms to its end on the worker it would be routed to
   * (a {@code Double}; NaN: no estimate), for admission by estimate.
   */
  public static final String ESTIMATE = "instgenie.balancer.estimate";

  /** Balancer: {@code WorkerState} reports, at least once per step. */
  public static final String WORKER_STATE = "instgenie.balancer.worker-state";

  /** Balancer: the index of a worker of this node that failed to start (node-local). */
  public static final String WORKER_FAILED = "instgenie.balancer.worker-failed";

  /**
   * Jobs: drain (the timeout in ms; 0: end what is left now): new jobs are refused, the reply comes
   * once every job has ended (node-local).
   */
  public static final String JOB_DRAIN = "instgenie.jobs.drain";

  /** Jobs: {@code Registration} of a new job (fails with 429 when the table is full). */
  public static final String JOB_REGISTER = "instgenie.jobs.register";

  /** Jobs: {@code EncodedResult} of a finished edit. */
  public static final String JOB_RESULT = "instgenie.jobs.result";

  /** Workers: cancel a task by id (published to every worker). */
  public static final String WORKER_CANCEL = "instgenie.denoise.cancel";

  /** Jobs: {@code JobEvent}s from workers and admission. */
  public static final String JOB_EVENT = "instgenie.jobs.event";

  /** Jobs: id → {@code JobSnapshot}. */
  public static final String JOB_GET = "instgenie.jobs.get";

  /** Jobs: id → PNG bytes of a completed edit. */
  public static final String JOB_IMAGE = "instgenie.jobs.image";

  /**
   * Jobs: id → the job's status; an unfinished job's cancel is published to every worker ({@link
   * #WORKER_CANCEL}), the one holding it drops it.
   */
  public static final String JOB_CANCEL = "instgenie.jobs.cancel";

  /** Jobs: a template's state, by id. */
  public static final String TEMPLATE_GET = "instgenie.jobs.template";

  /**
   * Admission (node-local): whether an edit may name a template by id here (its tenant uploaded it,
   * and its pixels are still held); the body is {@link Owner#templateKey}, the reply a Boolean.
   */
  public static final String TEMPLATE_KNOWN = "instgenie.admission.template-known";

  /** Jobs: {@code Placement} of a job on a node's worker, from the balancer (node-local). */
  public static final String JOB_PLACED = "instgenie.jobs.placed";

  /**
   * Cluster: a node's id that is draining, published to every node: balancers stop choosing its
   * workers.
   */
  public static final String NODE_DRAINING = "instgenie.cluster.node-draining";

  /**
   * Workers: give back every queued task (and each task that arrives later) to {@link
   * #JOB_HAND_BACK} instead of running it; the node is draining in a cluster (node-local).
   */
  public static final String WORKER_HAND_BACK = "instgenie.denoise.hand-back";

  /**
   * Jobs: a {@code DenoiseTask} a draining node's worker gave back, to run elsewhere (node-local).
   */
  public static final String JOB_HAND_BACK = "instgenie.jobs.hand-back";

  /** Cluster: a node's id that left the cluster (published node-locally to its verticles). */
  public static final String NODE_LEFT = "instgenie.cluster.node-left";

  /** Where a worker takes tasks. */
  public static String worker(int index) {
    return "instgenie.denoise." + index + ".submit";
  }

  /**
   * Clustered: one node's address for {@code what} ({@code submit}, {@code event}, {@code result},
   * {@code get}, {@code image}, {@code segment}, {@code requeue}); every other address is
   * node-local.
   */
  public static String node(String nodeId, String what) {
    return "instgenie.node." + nodeId + "." + what;
  }

  /** Where one edit's progress events are published, for its SSE and WebSocket streams. */
  public static String events(String id) {
    return "instgenie.events." + id;
  }
}
