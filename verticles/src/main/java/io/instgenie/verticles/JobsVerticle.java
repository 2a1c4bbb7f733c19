package io.instgenie.verticles;

import io.instgenie.cache.TierKind;
import io.instgenie.verticles.cluster.ClusterJobs;
import io.instgenie.verticles.cluster.JobCluster;
import io.instgenie.verticles.cluster.JobMirror;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Origin;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.metrics.ServiceMetrics;
import io.instgenie.verticles.observe.EditLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The job table: every job's state, events (numbered) and result. Admission registers jobs here,
 * and this is where back-pressure is decided (too many unfinished jobs: 429). Events are
 * re-published per job for its progress streams. State is touched only by this verticle's handlers.
 *
 * <p>Every end of a job (completed, failed, cancelled) goes through {@link #end}, once: it frees
 * the job's slot. Beyond this node, {@link JobCluster} (in a cluster {@link ClusterJobs}) mirrors
 * each job, sends guests' events and results to their home, answers for jobs this table does not
 * hold, and re-admits or adopts jobs when a node leaves.
 */
public final class JobsVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(JobsVerticle.class.getName());
  private static final Logger EDITS = LoggerFactory.getLogger(JobsVerticle.class);

  private final int capacity;
  private final int resultsKept;
  private final ServiceMetrics metrics;
  private final Map<String, Job> jobs = new HashMap<>();
  private final LinkedHashMap<String, Boolean> finishedOrder = new LinkedHashMap<>();
  private final Map<String, String> templates = new HashMap<>();

  /** Unfinished jobs per template, so a template whose only edits failed stops saying "pending". */
  private final Map<String, Integer> templateUsers = new HashMap<>();

  private final JobCluster cluster;

  private int unfinished;

  private final TenantCounts tenants = new TenantCounts();

  /** Set once the node drains: completes when no job is left. */
  private Promise<Void> drained;

  private long drainTimer = -1;

  /** The watchdog's limit: see {@link #watch}. */
  private final long stallMs;

  /**
   * The tiers of this node's caches that hold a template's activations now; null when the service
   * caches none (cache off).
   */
  private final Function<String, Set<TierKind>> tiersHolding;

  public JobsVerticle(
      int capacity,
      int resultsKept,
      long stallMs,
      ServiceMetrics metrics,
      JobCluster cluster,
      Function<String, Set<TierKind>> tiersHolding) {
    this.tiersHolding = tiersHolding;
    this.stallMs = stallMs;
    this.capacity = capacity;
    this.resultsKept = resultsKept;
    this.metrics = metrics;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    metrics.gauge(
        "instgenie_jobs_unfinished", "Jobs admitted and not yet finished", () -> unfinished);
    vertx.setPeriodic(Math.max(50, Math.min(1000, stallMs / 4)), t -> watch());
    return Future.all(
        List.of(
            bus.<Registration>localConsumer(Addresses.JOB_REGISTER, this::register).completion(),
            bus.<JobEvent>localConsumer(Addresses.JOB_EVENT, m -> localEvent(m.body()))
                .completion(),
            bus.<EncodedResult>localConsumer(Addresses.JOB_RESULT, m -> localResult(m.body()))
                .completion(),
            bus.<Placement>localConsumer(Addresses.JOB_PLACED, m -> placed(m.body())).completion(),
            bus.<String>localConsumer(Addresses.JOB_GET, this::get).completion(),
            bus.<String>localConsumer(Addresses.JOB_IMAGE, this::image).completion(),
            bus.<String>localConsumer(Addresses.JOB_CANCEL, this::cancel).completion(),
            bus.<String>localConsumer(Addresses.TEMPLATE_GET, this::template).completion(),
            bus.<Long>localConsumer(Addresses.JOB_DRAIN, this::drain).completion(),
            bus.<DenoiseTask>localConsumer(
                    Addresses.JOB_HAND_BACK,
                    m -> {
                      cluster.handBack(m.body());
                      checkDrained();
                    })
                .completion(),
            cluster.start(new Table())));
  }

  /** Where the balancer sent a job: clustered, its mirror keeps it for re-admission. */
  private void placed(Placement p) {
    Job j = jobs.get(p.task().id());
    if (j == null || j.status.terminal()) return;
    j.placed = true;
    j.lastHeardMs = System.currentTimeMillis();
    j.mirror.placed(p);
  }

  /**
   * The watchdog: a job past its deadline (and its grace) ends {@code failed} here. A running job
   * whose worker has sent nothing for {@code stall_ms}, and a job no worker took within {@code
   * stall_ms}, are re-admitted in a cluster (placed anew, on another node while there is one), and
   * end {@code failed} on one node, their workers told to drop them. No job stays unfinished with
   * nobody holding it.
   */
  private void watch() {
    long now = System.currentTimeMillis();
    Map<Job, String> due = new LinkedHashMap<>();
    for (Job j : jobs.values()) {
      if (!j.recorded) continue; // not yet accepted: its admission answers for it
      String why = j.dueEnd(now, stallMs);
      if (why != null) due.put(j, why);
    }
    due.forEach(
        (j, why) -> {
          boolean stalled = !JobEvent.Failed.DEADLINE_EXCEEDED.equals(why);
          if (stalled && cluster.readmit(j.mirror)) j.lastHeardMs = now;
          else endHere(j, why);
        });
  }

  /**
   * Drains the table: no new job is taken (clustered, queued tasks go to other nodes at once); the
   * reply comes once every unfinished job, and every guest this node's workers run, has ended, or
   * after {@code timeout} ms. Then what is left ends {@code failed{error:"node shut down"}} on one
   * node; in a cluster it is left to the others, which re-admit it once this node has left. A
   * second drain with 0 does that at once.
   */
  private void drain(Message<Long> msg) {
    if (drained == null) {
      drained = Promise.promise();
      cluster.drain();
    }
    long timeout = msg.body();
    if (timeout <= 0) shutDown();
    else if (drainTimer < 0) drainTimer = vertx.setTimer(timeout, t -> shutDown());
    checkDrained();
    drained.future().onComplete(ar -> msg.reply(Boolean.TRUE));
  }

  /** Completes the drain once no job of this table and no guest of this node's workers is left. */
  private void checkDrained() {
    if (drained != null && unfinished == 0 && cluster.guestsHeld() == 0) drained.tryComplete();
  }

  /** The node is going away: what is left ends here, or (clustered) is left to the others. */
  private void shutDown() {
    List<Job> left = jobs.values().stream().filter(j -> !j.status.terminal()).toList();
    if (cluster.takesOver()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "leaving with "
              + left.size()
              + " edits unfinished and "
              + cluster.guestsHeld()
              + " of other nodes running here: the cluster re-admits them");
      drained.tryComplete();
      return;
    }
    for (Job j : left) endHere(j, JobEvent.Failed.SHUT_DOWN);
  }

  /** Ends a job from the table itself (through {@link #event}); its worker drops it. */
  private void endHere(Job j, String error) {
    // the worker that holds it logs the drop as "cancelled": this line says why
    EditLog.log(
        EDITS,
        Level.WARN,
        j.reg.id(),
        new Origin(j.reg.owner().tenant(), null),
        "ended by the job table: failed: " + error,
        null);
    event(JobEvent.of(j.reg.id(), new JobEvent.Failed(error)));
    vertx.eventBus().publish(Addresses.WORKER_CANCEL, j.reg.id());
  }

  /** An event from this node's workers: this job table's own job, or a guest's (sent home). */
  private void localEvent(JobEvent e) {
    if (!cluster.forwardHome(e)) event(e);
    else if (e.terminal()) checkDrained();
  }

  private void localResult(EncodedResult r) {
    if (!cluster.forwardHome(r)) result(r);
    else checkDrained();
  }

  private void register(Message<Registration> msg) {
    if (drained != null) {
      msg.fail(
          ServiceException.UNAVAILABLE,
          "the node is shutting down and takes no new edits; retry later (or on another node)");
      return;
    }
    if (unfinished >= capacity) {
      msg.fail(
          ServiceException.TOO_MANY,
          "the service is busy: "
              + unfinished
              + " edits are in progress (capacity "
              + capacity
              + "); retry later");
      return;
    }
    String tenantFull = tenants.refusal(msg.body().owner());
    if (tenantFull != null) {
      msg.fail(ServiceException.TOO_MANY, tenantFull);
      return;
    }
    Job j = new Job(msg.body(), cluster);
    admit(j);
    // clustered: accepted once any node can answer for it; a record the cluster did not take is
    // an edit nobody could take over, so it is refused instead (nothing has run it yet)
    j.mirror
        .write()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                j.recorded = true;
                msg.reply(Boolean.TRUE);
                return;
              }
              // the watchdog leaves an unrecorded job alone; only a drain's end may have ended it
              if (jobs.get(j.reg.id()) == j && !j.status.terminal()) unadmit(j);
              msg.fail(
                  ServiceException.UNAVAILABLE,
                  "the edit could not be recorded in the cluster ("
                      + ar.cause().getMessage()
                      + "); retry later");
            });
  }

  /** Undoes {@link #admit} for a job refused before anyone heard of it. */
  private void unadmit(Job j) {
    jobs.remove(j.reg.id());
    release(j, false);
    checkDrained();
  }

  /**
   * Gives back what {@link #admit} counted for the job: its slot, its tenant's, and its use of its
   * template (ready once an edit of it completed; no longer pending once its last user left
   * otherwise).
   */
  private void release(Job j, boolean completed) {
    unfinished--;
    tenants.ended(j.reg.owner());
    String t = j.reg.templateId();
    boolean lastUser = templateUsers.merge(t, -1, Integer::sum) <= 0;
    if (lastUser) templateUsers.remove(t);
    if (completed) templates.put(t, "ready");
    else if (lastUser && "pending".equals(templates.get(t))) templates.remove(t);
  }

  /** Adds an unfinished job; its template is pending unless already known. */
  private void admit(Job j) {
    jobs.put(j.reg.id(), j);
    templates.putIfAbsent(j.reg.templateId(), "pending");
    templateUsers.merge(j.reg.templateId(), 1, Integer::sum);
    tenants.started(j.reg.owner());
    unfinished++;
  }

  /** One event of a job: numbered, applied, published; a terminal one ends the job. */
  private void event(JobEvent e) {
    Job j = jobs.get(e.id());
    if (j == null || j.status.terminal()) return;
    j.lastHeardMs = System.currentTimeMillis();
    e = j.mirror.withNode(e);
    JobEvent numbered = e.withSeq(j.events.size() + 1);
    if (e.terminal()) end(j, e.body());
    else j.apply(e.body());
    j.events.add(numbered);
    vertx.eventBus().publish(Addresses.events(e.id()), numbered);
    j.mirror.write();
  }

  /** The one place a job ends: its status becomes terminal and its slot is freed, exactly once. */
  private void end(Job j, JobEvent.Body b) {
    j.status = b.status();
    j.position = null;
    if (b instanceof JobEvent.Completed c) j.timings = c.timings();
    if (b instanceof JobEvent.Failed f) j.error = f.error();
    release(j, j.status == JobStatus.COMPLETED);
    if (j.status == JobStatus.COMPLETED)
      metrics.requestDone(System.currentTimeMillis() - j.createdMs);
    j.mirror.ended();
    checkDrained();
    finishedOrder.put(j.reg.id(), Boolean.TRUE);
    for (var it = finishedOrder.keySet().iterator();
        finishedOrder.size() > resultsKept && it.hasNext(); ) {
      jobs.remove(it.next());
      it.remove();
    }
  }

  /**
   * The edit's image is done. Clustered, the image is stored in the cluster before {@code
   * completed} goes out, so a client that hears it from any node can fetch the image there.
   */
  private void result(EncodedResult r) {
    Job j = jobs.get(r.id());
    if (j == null || j.status.terminal()) return;
    j.png = r.png();
    JobEvent completed = JobEvent.of(r.id(), new JobEvent.Completed(r.timings(), null));
    cluster
        .storeImage(r.id(), r.png())
        .onComplete(
            stored -> {
              if (jobs.get(r.id()) == j && !j.status.terminal()) event(completed);
            });
  }

  private void get(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j != null) msg.reply(j.snapshot());
    else reply(msg, cluster.job(msg.body()));
  }

  private void image(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null) reply(msg, cluster.image(msg.body()));
    else if (j.png == null)
      msg.fail(
          ServiceException.CONFLICT,
          "edit " + msg.body() + " is " + j.status + ", it has no image");
    else msg.reply(Buffer.buffer(j.png));
  }

  /** Answers the job's status (as it was when the cancel arrived). */
  private void cancel(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null) {
      reply(msg, cluster.cancel(msg.body()).map(JobStatus::wire));
      return;
    }
    if (!j.status.terminal()) vertx.eventBus().publish(Addresses.WORKER_CANCEL, msg.body());
    msg.reply(j.status.wire());
  }

  /**
   * A template's state, truthfully, for an id the caller may name in an edit here (the route
   * checked that this node keeps its pixels): {@code pending} until its first run ends; {@code
   * ready} with the tiers that hold its activations now ({@code remote}: another node's); {@code
   * evicted} when no tier holds them (evicted, or its first run failed or was cancelled: an edit of
   * it still works and redoes the template run). Without a cache: {@code pending} or {@code ready}.
   */
  private void template(Message<String> msg) {
    String id = msg.body();
    String state = templates.get(id);
    boolean elsewhere = cluster.templateHeld(id);
    if (tiersHolding == null) {
      // no cache: what the jobs said; no template run stands between it and an edit
      if (state == null) state = "ready";
      msg.reply(new JsonObject().put("template_id", id).put("status", state));
      return;
    }
    JsonArray tiers = new JsonArray();
    for (TierKind t : tiersHolding.apply(id)) tiers.add(t.name().toLowerCase(Locale.ROOT));
    if (elsewhere && tiers.isEmpty()) tiers.add("remote");
    if (!tiers.isEmpty()) state = "ready";
    else if (!"pending".equals(state)) state = "evicted";
    msg.reply(new JsonObject().put("template_id", id).put("status", state).put("tiers", tiers));
  }

  /** Answers with what the cluster found, or its failure's status. */
  private static <T> void reply(Message<String> msg, Future<T> answer) {
    answer
        .onSuccess(msg::reply)
        .onFailure(err -> msg.fail(ServiceException.statusOf(err), err.getMessage()));
  }

  /** This table as the cluster's side reads and feeds it. */
  private final class Table implements JobCluster.Table {
    @Override
    public JobMirror mirror(String id) {
      Job j = jobs.get(id);
      return j == null ? null : j.mirror;
    }

    @Override
    public List<JobMirror> unfinished() {
      return jobs.values().stream().filter(j -> !j.status.terminal()).map(j -> j.mirror).toList();
    }

    @Override
    public JobMirror adopt(JobRecord r) {
      Job j = new Job(r.registration(), cluster);
      j.status = r.status();
      j.position = r.position();
      j.step = r.step();
      j.node = r.node();
      j.placed = r.runner() != null; // a worker holds it (else it is re-admitted and placed anew)
      j.recorded = true; // its record is the cluster's
      j.events.addAll(r.events());
      admit(j);
      return j.mirror;
    }

    @Override
    public void event(JobEvent e) {
      JobsVerticle.this.event(e);
    }

    @Override
    public void result(EncodedResult r) {
      JobsVerticle.this.result(r);
    }
  }
}
