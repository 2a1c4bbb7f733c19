package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.Handoff;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The clustered half of the job table ({@link io.instgenie.verticles.JobsVerticle}). A job's live
 * record stays on the node that admitted it (its home), wherever it runs: the runner's job table
 * forwards its events and result home; the home mirrors the record into the cluster's job table so
 * that any node answers for it, and re-admits it when its runner leaves. A node that finds a job's
 * home gone adopts it (the runner, or the oldest member when the runner is gone too). Used on the
 * job table's context only: state is touched only by its handlers.
 */
public final class ClusterJobs implements JobCluster {
  private static final System.Logger LOG = System.getLogger(ClusterJobs.class.getName());

  private final Vertx vertx;
  private final ClusterState cluster;
  private final TemplateDirectory directory;

  /** Jobs of other homes running on this node's workers: id → home node. */
  private final Map<String, String> guests = new HashMap<>();

  /** Events and results of guests whose home left, kept until the job is adopted here. */
  private final Map<String, List<Object>> stranded = new HashMap<>();

  /**
   * What ended each guest here (its result, or its terminal event), as sent home, kept for {@link
   * #DELIVERED_NS} in the order sent: a home that leaves just after may not have written the job's
   * end into the cluster's table, and its record then still reads unfinished; the job is adopted
   * with this instead of being run again.
   */
  private final Map<String, Delivered> delivered = new LinkedHashMap<>();

  static final long DELIVERED_NS = TimeUnit.SECONDS.toNanos(60);

  /**
   * How long the oldest member waits before re-admitting a job whose home and runner both look
   * gone: the node that runs it may yet adopt it (its adoption rewrites the record's home).
   */
  static final long READMIT_GRACE_MS = 2_000;

  private record Delivered(long atNs, Object sent) {}

  private Table table;

  public ClusterJobs(Vertx vertx, ClusterState cluster, TemplateDirectory directory) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.directory = directory;
  }

  @Override
  public JobMirror mirror(Registration reg, Supplier<JobSnapshot> snapshot) {
    return new ClusterMirror(cluster, reg, snapshot);
  }

  /** A mirror of this table's: one this class made. */
  private static ClusterMirror own(JobMirror m) {
    return (ClusterMirror) m;
  }

  /**
   * Registers this node's addresses (handoffs, its jobs' events and results from their runners,
   * other nodes' gets) and follows members leaving.
   */
  @Override
  public Future<?> start(Table table) {
    this.table = table;
    EventBus bus = vertx.eventBus();
    String self = cluster.nodeId();
    return Future.all(
        List.of(
            bus.<Handoff>consumer(Addresses.node(self, "submit"), m -> handoff(m.body()))
                .completion(),
            bus.<JobEvent>consumer(
                    Addresses.node(self, "event"),
                    m -> {
                      if (fromRunner(m, m.body().id())) table.event(m.body());
                    })
                .completion(),
            bus.<EncodedResult>consumer(
                    Addresses.node(self, "result"),
                    m -> {
                      if (fromRunner(m, m.body().id())) table.result(m.body());
                    })
                .completion(),
            bus.<String>consumer(Addresses.node(self, "get"), this::get).completion(),
            bus.<String>consumer(
                    Addresses.node(self, "requeue"),
                    m -> {
                      String from = m.headers().get("node");
                      JobMirror j = table.mirror(m.body());
                      if (fromRunner(m, m.body())) requeue(own(j), from, from);
                    })
                .completion(),
            bus.<String>localConsumer(Addresses.NODE_LEFT, m -> nodeLeft(m.body())).completion()));
  }

  /** True when the message comes from the node that runs the table's job {@code id}. */
  private boolean fromRunner(Message<?> m, String id) {
    JobMirror j = table.mirror(id);
    return j != null && m.headers().get("node").equals(own(j).runner());
  }

  /** A task of another home for one of this node's workers. */
  private void handoff(Handoff h) {
    guests.put(h.task().id(), h.home());
    vertx.eventBus().send(Addresses.worker(h.worker()), h.task());
  }

  /**
   * An event from this node's workers: a guest's is sent home (or kept while its home is gone).
   * False when the job is not a guest: the table takes the event.
   */
  @Override
  public boolean forwardHome(JobEvent e) {
    return forwardHome(e.id(), e, e.terminal(), "event");
  }

  /** As {@link #forwardHome(JobEvent)}, for a result (which ends the guest here). */
  @Override
  public boolean forwardHome(EncodedResult r) {
    return forwardHome(r.id(), r, true, "result");
  }

  /** Sends a guest's event or result to its home's {@code address}; see the public forms. */
  private boolean forwardHome(String id, Object item, boolean ends, String address) {
    JobMirror mine = table.mirror(id);
    // the table's own job, re-admitted elsewhere (this worker stalled): what it says is dropped
    if (mine != null) return isElsewhere(own(mine).runner());
    String home = guests.get(id);
    if (home == null) return false;
    if (!cluster.alive(home)) {
      stranded.computeIfAbsent(id, k -> new ArrayList<>()).add(item);
      return true;
    }
    if (ends) {
      guests.remove(id);
      deliver(id, item);
    }
    vertx.eventBus().send(Addresses.node(home, address), item, fromHere());
    return true;
  }

  /** True when {@code runner} names another node. */
  private boolean isElsewhere(String runner) {
    return runner != null && !runner.equals(cluster.nodeId());
  }

  /** Remembers what ended a guest here (see {@link #delivered}). */
  private void deliver(String id, Object sent) {
    forgetExpired();
    delivered.put(id, new Delivered(System.nanoTime(), sent));
  }

  /** Drops the deliveries older than {@link #DELIVERED_NS}: the oldest come first. */
  private void forgetExpired() {
    long now = System.nanoTime();
    Iterator<Delivered> it = delivered.values().iterator();
    while (it.hasNext() && now - it.next().atNs() > DELIVERED_NS) it.remove();
  }

  private DeliveryOptions fromHere() {
    return new DeliveryOptions().addHeader("node", cluster.nodeId());
  }

  /** Stores a completed edit's image in the cluster; a failure is logged (and fails the future). */
  @Override
  public Future<Void> storeImage(String id, byte[] png) {
    return cluster
        .putResult(id, png)
        .onFailure(
            err ->
                LOG.log(
                    System.Logger.Level.WARNING,
                    "edit " + id + ": image not stored in the cluster: " + err));
  }

  /** Another node asks for the live record of one of this home's jobs. */
  private void get(Message<String> msg) {
    JobMirror j = table.mirror(msg.body());
    if (j == null) msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
    else msg.reply(own(j).snapshot());
  }

  /** A job the table does not hold: its home's live record, else the cluster's copy. */
  @Override
  public Future<JobSnapshot> job(String id) {
    return cluster
        .job(id)
        .compose(
            r -> {
              if (r == null) return Future.failedFuture(unknown(id));
              if (r.terminal() || r.home().equals(cluster.nodeId()) || !cluster.alive(r.home()))
                return Future.succeededFuture(r.snapshot());
              return vertx
                  .eventBus()
                  .<JobSnapshot>request(
                      Addresses.node(r.home(), "get"),
                      id,
                      new DeliveryOptions().setSendTimeout(5_000))
                  .map(m -> m.body())
                  .recover(err -> Future.succeededFuture(r.snapshot()));
            });
  }

  /** The image of a job the table does not hold, from the cluster. */
  @Override
  public Future<Buffer> image(String id) {
    return cluster
        .result(id)
        .compose(
            png -> {
              if (png != null) return Future.succeededFuture(Buffer.buffer(png));
              return cluster
                  .job(id)
                  .compose(
                      r ->
                          Future.<Buffer>failedFuture(
                              r == null
                                  ? unknown(id)
                                  : new ServiceException(
                                      ServiceException.CONFLICT,
                                      "edit " + id + " is " + r.status() + ", it has no image")));
            });
  }

  /**
   * Cancels a job the table does not hold, unless it has ended (every node's workers are told);
   * answers its status.
   */
  @Override
  public Future<JobStatus> cancel(String id) {
    return cluster
        .job(id)
        .compose(
            r -> {
              if (r == null) return Future.failedFuture(unknown(id));
              if (!r.terminal()) vertx.eventBus().publish(Addresses.WORKER_CANCEL, id);
              return Future.succeededFuture(r.status());
            });
  }

  private static ServiceException unknown(String id) {
    return new ServiceException(ServiceException.NOT_FOUND, "unknown edit id " + id);
  }

  /** True when some node holds the template. */
  @Override
  public boolean templateHeld(String templateId) {
    return directory.heldAnywhere(templateId);
  }

  /**
   * A member left: this home's jobs that ran there are re-admitted; jobs homed there are adopted by
   * the node that runs them or ran them to their end (also where the cluster's record, which can
   * lag, names no runner or a gone one), or else re-admitted by the oldest member, after a grace
   * period, when their runner is gone too.
   */
  private void nodeLeft(String dead) {
    for (JobMirror m : table.unfinished()) {
      ClusterMirror j = own(m);
      // avoiding the dead node: the balancer forgets its workers on its own NODE_LEFT, which may
      // come after this one, and a task routed to a stale worker of it would be lost
      if (dead.equals(j.runner())) requeue(j, dead, dead);
    }
    forgetExpired();
    String self = cluster.nodeId();
    cluster
        .unfinishedHomedAt(dead)
        .onSuccess(
            records -> {
              for (JobRecord r : records) {
                if (table.mirror(r.id()) != null) continue;
                // this node's own knowledge first, where the record, which can lag, allows it: a
                // runner it names that is still alive has the job
                boolean mine = guests.containsKey(r.id()) || delivered.containsKey(r.id());
                boolean noOtherRunner = !cluster.alive(r.runner()) || self.equals(r.runner());
                if (mine && noOtherRunner) adopt(r, false);
                else if (noOtherRunner && cluster.oldest() && r.task() != null)
                  readmitLater(r, dead);
              }
            });
  }

  /**
   * Re-admits a job of a home that left, after {@link #READMIT_GRACE_MS}, unless it ended or was
   * adopted meanwhile (its record then names another home).
   */
  private void readmitLater(JobRecord r, String dead) {
    vertx.setTimer(
        READMIT_GRACE_MS,
        t ->
            cluster
                .job(r.id())
                .onSuccess(
                    now -> {
                      if (now == null || now.terminal() || !dead.equals(now.home())) return;
                      if (table.mirror(now.id()) == null) adopt(now, true);
                    }));
  }

  private void requeue(ClusterMirror j, String from) {
    requeue(j, from, null);
  }

  /** Places the job anew, on a worker not of {@code avoid} (null: any) while there is another. */
  private void requeue(ClusterMirror j, String from, String avoid) {
    DenoiseTask t = j.unplace();
    table.event(JobEvent.of(j.id(), new JobEvent.Requeued(from)));
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true);
    if (avoid != null) o.addHeader(Addresses.ROUTE_AVOID, avoid);
    vertx.eventBus().send(Addresses.ROUTE, t, o);
  }

  /** Other nodes stop routing here; this node's workers give their queued tasks back. */
  @Override
  public void drain() {
    vertx.eventBus().publish(Addresses.NODE_DRAINING, cluster.nodeId());
    vertx
        .eventBus()
        .publish(Addresses.WORKER_HAND_BACK, null, new DeliveryOptions().setLocalOnly(true));
  }

  /**
   * A task this node's worker gave back: the table's own job is placed anew, elsewhere; a guest
   * goes back to its home, which does the same (a home that left adopts nothing of it: the
   * cluster's record re-admits it).
   */
  @Override
  public void handBack(DenoiseTask t) {
    String self = cluster.nodeId();
    JobMirror mine = table.mirror(t.id());
    if (mine != null) {
      if (self.equals(own(mine).runner())) requeue(own(mine), self, self);
      return;
    }
    String home = guests.remove(t.id());
    if (home == null) return;
    if (!cluster.alive(home)) {
      stranded.remove(t.id());
      return;
    }
    vertx.eventBus().send(Addresses.node(home, "requeue"), t.id(), fromHere());
  }

  /** A stalled job: placed anew, not on the node that stopped reporting (while another runs). */
  @Override
  public boolean readmit(JobMirror m) {
    ClusterMirror j = own(m);
    if (!j.hasTask()) return false;
    String from = j.runner();
    LOG.log(
        System.Logger.Level.WARNING,
        "edit " + j.id() + ": its worker on " + from + " stopped reporting; re-admitted");
    requeue(j, from == null ? cluster.nodeId() : from, from);
    return true;
  }

  @Override
  public int guestsHeld() {
    return guests.size();
  }

  @Override
  public boolean takesOver() {
    return true;
  }

  /** Takes over a job whose home left; re-admits it when nobody runs it any more. */
  private void adopt(JobRecord r, boolean readmit) {
    ClusterMirror j = own(table.adopt(r));
    j.adopted(
        readmit ? null : cluster.nodeId(),
        r.task() == null ? null : ClusterState.decodeTask(r.task()));
    guests.remove(r.id());
    if (readmit) requeue(j, r.runner() == null ? r.home() : r.runner());
    else j.write();
    // a guest that ended here has a delivery; one whose home was gone then has stranded items
    List<Object> replay = new ArrayList<>();
    Delivered d = delivered.remove(r.id());
    if (d != null) replay.add(d.sent());
    List<Object> kept = stranded.remove(r.id());
    if (kept != null) replay.addAll(kept);
    for (Object o : replay) {
      if (o instanceof JobEvent e) table.event(e);
      else table.result((EncodedResult) o);
    }
  }
}
