package io.instgenie.verticles;

import io.instgenie.verticles.cluster.ClusterState;
import io.instgenie.verticles.cluster.TemplateDirectory;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.Handoff;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job table: every job's state, events (numbered) and result. Admission registers jobs here,
 * and this is where back-pressure is decided (too many unfinished jobs: 429). Events are
 * re-published per job for its progress streams. State is touched only by this verticle's handlers.
 *
 * <p>Clustered, a job's live record stays on the node that admitted it (its home), wherever it
 * runs: the runner's job table forwards its events and result home; the home mirrors the record
 * into the cluster's job table so that any node answers for it, and re-admits it when its runner
 * leaves. A node that finds a job's home gone adopts it (the runner, or the oldest member when the
 * runner is gone too).
 */
public final class JobsVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(JobsVerticle.class.getName());

  private final int capacity;
  private final int resultsKept;
  private final ServiceMetrics metrics;
  private final Map<String, Job> jobs = new HashMap<>();
  private final LinkedHashMap<String, Boolean> finishedOrder = new LinkedHashMap<>();
  private final Map<String, String> templates = new HashMap<>();

  /** Unfinished jobs per template, so a template whose only edits failed stops saying "pending". */
  private final Map<String, Integer> templateUsers = new HashMap<>();

  /** Clustered only (else null): the cluster's maps and the template directory. */
  private final ClusterState cluster;

  private final TemplateDirectory directory;

  /** Jobs of other homes running on this node's workers: id → home node. */
  private final Map<String, String> guests = new HashMap<>();

  /** Events and results of guests whose home left, kept until the job is adopted here. */
  private final Map<String, List<Object>> stranded = new HashMap<>();

  private int unfinished;

  /** One job's record. */
  private static final class Job {
    final Registration reg;
    final long createdMs = System.currentTimeMillis();
    final List<JobEvent> events = new ArrayList<>();
    String status = "queued";
    Integer position;
    Map<String, Object> timings;
    String error;
    byte[] png;
    String runner;
    DenoiseTask task;
    boolean mirroring;
    boolean dirty;

    Job(Registration reg) {
      this.reg = reg;
    }
  }

  public JobsVerticle(int capacity, int resultsKept, ServiceMetrics metrics) {
    this(capacity, resultsKept, metrics, null, null);
  }

  public JobsVerticle(
      int capacity,
      int resultsKept,
      ServiceMetrics metrics,
      ClusterState cluster,
      TemplateDirectory directory) {
    this.capacity = capacity;
    this.resultsKept = resultsKept;
    this.metrics = metrics;
    this.cluster = cluster;
    this.directory = directory;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    metrics.gauge(
        "instgenie_jobs_unfinished", "Jobs admitted and not yet finished", () -> unfinished);
    List<Future<?>> ready =
        new ArrayList<>(
            List.of(
                bus.<Registration>localConsumer(Addresses.JOB_REGISTER, this::register)
                    .completion(),
                bus.<JobEvent>localConsumer(Addresses.JOB_EVENT, m -> localEvent(m.body()))
                    .completion(),
                bus.<EncodedResult>localConsumer(Addresses.JOB_RESULT, m -> localResult(m.body()))
                    .completion(),
                bus.<Placement>localConsumer(Addresses.JOB_PLACED, m -> placed(m.body()))
                    .completion(),
                bus.<String>localConsumer(Addresses.JOB_GET, this::get).completion(),
                bus.<String>localConsumer(Addresses.JOB_IMAGE, this::image).completion(),
                bus.<String>localConsumer(Addresses.JOB_CANCEL, this::cancel).completion(),
                bus.<String>localConsumer(Addresses.TEMPLATE_GET, this::template).completion()));
    if (cluster != null) {
      String self = cluster.nodeId();
      ready.add(bus.<Handoff>consumer(Addresses.node(self, "submit"), this::handoff).completion());
      ready.add(
          bus.<JobEvent>consumer(
                  Addresses.node(self, "event"),
                  m -> {
                    Job j = jobs.get(m.body().id());
                    if (j != null && m.headers().get("node").equals(j.runner)) event(m.body());
                  })
              .completion());
      ready.add(
          bus.<EncodedResult>consumer(
                  Addresses.node(self, "result"),
                  m -> {
                    Job j = jobs.get(m.body().id());
                    if (j != null && m.headers().get("node").equals(j.runner)) result(m.body());
                  })
              .completion());
      ready.add(bus.<String>consumer(Addresses.node(self, "get"), this::get).completion());
      ready.add(
          bus.<String>localConsumer(Addresses.NODE_LEFT, m -> nodeLeft(m.body())).completion());
    }
    return Future.all(ready);
  }

  /** Where the balancer sent a job: kept for re-admission, and mirrored. */
  private void placed(Placement p) {
    Job j = jobs.get(p.task().id());
    if (j == null || terminal(j.status)) return;
    j.runner = p.node();
    j.task = p.task();
    mirror(j);
  }

  /** A task of another home for one of this node's workers. */
  private void handoff(Message<Handoff> msg) {
    Handoff h = msg.body();
    guests.put(h.task().id(), h.home());
    vertx.eventBus().send(Addresses.worker(h.worker()), h.task());
  }

  /** An event from this node's workers: this job table's own job, or a guest's (sent home). */
  private void localEvent(JobEvent e) {
    String home = guests.get(e.id());
    if (home == null || jobs.containsKey(e.id())) {
      event(e);
      return;
    }
    if (!cluster.alive(home)) {
      stranded.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
      return;
    }
    if (e.terminal()) guests.remove(e.id());
    vertx.eventBus().send(Addresses.node(home, "event"), e, fromHere());
  }

  private void localResult(EncodedResult r) {
    String home = guests.get(r.id());
    if (home == null || jobs.containsKey(r.id())) {
      result(r);
      return;
    }
    if (!cluster.alive(home)) {
      stranded.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r);
      return;
    }
    guests.remove(r.id());
    vertx.eventBus().send(Addresses.node(home, "result"), r, fromHere());
  }

  private DeliveryOptions fromHere() {
    return new DeliveryOptions().addHeader("node", cluster.nodeId());
  }

  private void register(Message<Registration> msg) {
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
    Registration r = msg.body();
    Job j = new Job(r);
    jobs.put(r.id(), j);
    templates.putIfAbsent(r.templateId(), "pending");
    templateUsers.merge(r.templateId(), 1, Integer::sum);
    unfinished++;
    if (cluster == null) {
      msg.reply(Boolean.TRUE);
      return;
    }
    // clustered: accepted once any node can answer for it
    j.mirroring = true;
    cluster
        .putJob(record(j))
        .onComplete(
            ar -> {
              j.mirroring = false;
              if (j.dirty) mirror(j);
              msg.reply(Boolean.TRUE);
            });
  }

  private void event(JobEvent e) {
    Job j = jobs.get(e.id());
    if (j == null || terminal(j.status)) return;
    if (e.type().equals("started") && cluster != null && j.runner != null) {
      Map<String, Object> d = new LinkedHashMap<>(e.data());
      d.put("node", j.runner);
      e = new JobEvent(e.id(), e.seq(), e.type(), d);
    }
    JobEvent numbered = e.withSeq(j.events.size() + 1);
    switch (e.type()) {
      case "queued" -> j.position = ((Number) e.data().get("position")).intValue();
      case "requeued" -> {
        j.status = "queued";
        j.position = null;
      }
      case "started", "template", "step" -> {
        j.status = "running";
        j.position = null;
      }
      case "completed" -> finish(j, "completed", e);
      case "failed" -> {
        j.error = String.valueOf(e.data().get("error"));
        finish(j, "failed", e);
      }
      case "cancelled" -> finish(j, "cancelled", e);
      default -> {}
    }
    j.events.add(numbered);
    vertx.eventBus().publish(Addresses.events(e.id()), numbered);
    mirror(j);
  }

  private void finish(Job j, String status, JobEvent e) {
    j.status = status;
    j.position = null;
    unfinished--;
    if (e.data().get("timings") instanceof Map<?, ?> t) {
      @SuppressWarnings("unchecked")
      Map<String, Object> timings = (Map<String, Object>) t;
      j.timings = timings;
    }
    String t = j.reg.templateId();
    boolean lastUser = templateUsers.merge(t, -1, Integer::sum) <= 0;
    if (lastUser) templateUsers.remove(t);
    if (status.equals("completed")) {
      templates.put(t, "ready");
      metrics.requestDone(System.currentTimeMillis() - j.createdMs);
    } else if (lastUser && "pending".equals(templates.get(t))) {
      templates.remove(t);
    }
    j.task = null;
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
    if (j == null || terminal(j.status)) return;
    j.png = r.png();
    JobEvent completed = JobEvent.of(r.id(), "completed", "timings", r.timings());
    if (cluster == null) {
      event(completed);
      return;
    }
    cluster
        .putResult(r.id(), r.png())
        .onComplete(
            stored -> {
              if (stored.failed()) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "edit " + r.id() + ": image not stored in the cluster: " + stored.cause());
              }
              if (jobs.get(r.id()) == j && !terminal(j.status)) event(completed);
            });
  }

  private void get(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j != null) {
      msg.reply(snapshot(j));
      return;
    }
    boolean local = msg.address().equals(Addresses.JOB_GET);
    if (cluster == null || !local) {
      msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
      return;
    }
    // another node's job: ask its home for the live record, else read the cluster's copy
    cluster
        .job(msg.body())
        .compose(
            r -> {
              if (r == null)
                return Future.failedFuture(
                    new ServiceException(
                        ServiceException.NOT_FOUND, "unknown edit id " + msg.body()));
              if (r.terminal() || r.home().equals(cluster.nodeId()) || !cluster.alive(r.home()))
                return Future.succeededFuture(r.snapshot());
              return vertx
                  .eventBus()
                  .<JobSnapshot>request(
                      Addresses.node(r.home(), "get"),
                      msg.body(),
                      new DeliveryOptions().setSendTimeout(5_000))
                  .map(m -> m.body())
                  .recover(err -> Future.succeededFuture(r.snapshot()));
            })
        .onSuccess(msg::reply)
        .onFailure(err -> msg.fail(ServiceException.statusOf(err), err.getMessage()));
  }

  private static JobSnapshot snapshot(Job j) {
    return new JobSnapshot(
        j.reg.id(),
        j.status,
        j.reg.templateId(),
        j.reg.steps(),
        j.reg.seed(),
        j.position,
        j.timings,
        j.error,
        List.copyOf(j.events));
  }

  private void image(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null && cluster != null) {
      clusterImage(msg);
      return;
    }
    if (j == null) msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
    else if (j.png == null)
      msg.fail(
          ServiceException.CONFLICT,
          "edit " + msg.body() + " is " + j.status + ", it has no image");
    else msg.reply(Buffer.buffer(j.png));
  }

  private void clusterImage(Message<String> msg) {
    String id = msg.body();
    cluster
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
                                  ? new ServiceException(
                                      ServiceException.NOT_FOUND, "unknown edit id " + id)
                                  : new ServiceException(
                                      ServiceException.CONFLICT,
                                      "edit " + id + " is " + r.status() + ", it has no image")));
            })
        .onSuccess(msg::reply)
        .onFailure(err -> msg.fail(ServiceException.statusOf(err), err.getMessage()));
  }

  private void cancel(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null && cluster != null) {
      cluster
          .job(msg.body())
          .onSuccess(
              r -> {
                if (r == null) {
                  msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
                  return;
                }
                if (!r.terminal()) vertx.eventBus().publish(Addresses.WORKER_CANCEL, msg.body());
                msg.reply(r.status());
              })
          .onFailure(err -> msg.fail(ServiceException.statusOf(err), err.getMessage()));
      return;
    }
    if (j == null) {
      msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
      return;
    }
    if (!terminal(j.status)) vertx.eventBus().publish(Addresses.WORKER_CANCEL, msg.body());
    msg.reply(j.status);
  }

  private void template(Message<String> msg) {
    String state = templates.get(msg.body());
    if (state == null && directory != null && directory.heldAnywhere(msg.body())) state = "ready";
    if (state == null) msg.fail(ServiceException.NOT_FOUND, "unknown template id " + msg.body());
    else msg.reply(new JsonObject().put("template_id", msg.body()).put("status", state));
  }

  /**
   * Copies the job's record into the cluster's job table; one write in flight per job, the latest
   * state written last.
   */
  private void mirror(Job j) {
    if (cluster == null) return;
    if (j.mirroring) {
      j.dirty = true;
      return;
    }
    j.mirroring = true;
    j.dirty = false;
    cluster
        .putJob(record(j))
        .onComplete(
            ar -> {
              j.mirroring = false;
              if (j.dirty) mirror(j);
            });
  }

  private JobRecord record(Job j) {
    return new JobRecord(
        j.reg.id(),
        cluster.nodeId(),
        j.runner,
        j.status,
        j.reg.templateId(),
        j.reg.steps(),
        j.reg.seed(),
        j.reg.templateOnly(),
        j.position,
        j.timings,
        j.error,
        List.copyOf(j.events),
        j.task == null ? null : ClusterState.encodeTask(j.task));
  }

  /**
   * A member left: this home's jobs that ran there are re-admitted; jobs homed there are adopted by
   * their runner, or by the oldest member when their runner is gone too.
   */
  private void nodeLeft(String dead) {
    for (Job j : List.copyOf(jobs.values()))
      if (!terminal(j.status) && dead.equals(j.runner)) requeue(j, dead);
    cluster
        .unfinishedHomedAt(dead)
        .onSuccess(
            records -> {
              for (JobRecord r : records) {
                if (jobs.containsKey(r.id())) continue;
                boolean runsHere =
                    cluster.nodeId().equals(r.runner()) && guests.containsKey(r.id());
                boolean orphan =
                    !runsHere
                        && (!cluster.alive(r.runner()) || cluster.nodeId().equals(r.runner()));
                if (runsHere) adopt(r, false);
                else if (orphan && cluster.oldest() && r.task() != null) adopt(r, true);
              }
            });
  }

  private void requeue(Job j, String from) {
    DenoiseTask t = j.task;
    j.runner = null;
    event(JobEvent.of(j.reg.id(), "requeued", "from", from));
    vertx.eventBus().send(Addresses.ROUTE, t);
  }

  /** Takes over a job whose home left; re-admits it when nobody runs it any more. */
  private void adopt(JobRecord r, boolean readmit) {
    Job j = new Job(r.registration());
    j.status = r.status();
    j.position = r.position();
    j.events.addAll(r.events());
    j.runner = readmit ? null : cluster.nodeId();
    j.task = r.task() == null ? null : ClusterState.decodeTask(r.task());
    jobs.put(r.id(), j);
    guests.remove(r.id());
    templateUsers.merge(r.templateId(), 1, Integer::sum);
    templates.putIfAbsent(r.templateId(), "pending");
    unfinished++;
    if (readmit) requeue(j, r.runner() == null ? r.home() : r.runner());
    else mirror(j);
    for (Object o : stranded.getOrDefault(r.id(), List.of())) {
      if (o instanceof JobEvent e) event(e);
      else result((EncodedResult) o);
    }
    stranded.remove(r.id());
  }

  private static boolean terminal(String status) {
    return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
  }
}
