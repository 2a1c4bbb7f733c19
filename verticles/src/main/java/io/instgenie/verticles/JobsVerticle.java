package io.instgenie.verticles;

import io.instgenie.verticles.cluster.ClusterJobs;
import io.instgenie.verticles.cluster.JobMirror;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
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
 * <p>Clustered, {@link ClusterJobs} mirrors each job into the cluster's job table, sends guests'
 * events and results to their home, answers for jobs this table does not hold, and re-admits or
 * adopts jobs when a node leaves.
 */
public final class JobsVerticle extends VerticleBase {
  private final int capacity;
  private final int resultsKept;
  private final ServiceMetrics metrics;
  private final Map<String, Job> jobs = new HashMap<>();
  private final LinkedHashMap<String, Boolean> finishedOrder = new LinkedHashMap<>();
  private final Map<String, String> templates = new HashMap<>();

  /** Unfinished jobs per template, so a template whose only edits failed stops saying "pending". */
  private final Map<String, Integer> templateUsers = new HashMap<>();

  /** Clustered only (else null): the cluster's side of the job table. */
  private final ClusterJobs cluster;

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

    /** Clustered only (else null): the job's copy in the cluster's job table. */
    final JobMirror mirror;

    Job(Registration reg, ClusterJobs cluster) {
      this.reg = reg;
      this.mirror = cluster == null ? null : cluster.mirror(reg, this::snapshot);
    }

    JobSnapshot snapshot() {
      return new JobSnapshot(
          reg.id(),
          status,
          reg.templateId(),
          reg.steps(),
          reg.seed(),
          position,
          timings,
          error,
          List.copyOf(events));
    }
  }

  public JobsVerticle(int capacity, int resultsKept, ServiceMetrics metrics) {
    this(capacity, resultsKept, metrics, null);
  }

  public JobsVerticle(int capacity, int resultsKept, ServiceMetrics metrics, ClusterJobs cluster) {
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
    if (cluster != null) ready.add(cluster.start(new Table()));
    return Future.all(ready);
  }

  /** Where the balancer sent a job: clustered, its mirror keeps it for re-admission. */
  private void placed(Placement p) {
    Job j = jobs.get(p.task().id());
    if (j == null || terminal(j.status) || j.mirror == null) return;
    j.mirror.placed(p);
  }

  /** An event from this node's workers: this job table's own job, or a guest's (sent home). */
  private void localEvent(JobEvent e) {
    if (cluster == null || !cluster.forwardHome(e)) event(e);
  }

  private void localResult(EncodedResult r) {
    if (cluster == null || !cluster.forwardHome(r)) result(r);
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
    Job j = new Job(msg.body(), cluster);
    admit(j);
    if (j.mirror == null) {
      msg.reply(Boolean.TRUE);
      return;
    }
    // clustered: accepted once any node can answer for it
    j.mirror.write().onComplete(ar -> msg.reply(Boolean.TRUE));
  }

  /** Adds an unfinished job; its template is pending unless already known. */
  private void admit(Job j) {
    jobs.put(j.reg.id(), j);
    templates.putIfAbsent(j.reg.templateId(), "pending");
    templateUsers.merge(j.reg.templateId(), 1, Integer::sum);
    unfinished++;
  }

  private void event(JobEvent e) {
    Job j = jobs.get(e.id());
    if (j == null || terminal(j.status)) return;
    if (j.mirror != null) e = j.mirror.withNode(e);
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
    if (j.mirror != null) j.mirror.write();
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
    if (j.mirror != null) j.mirror.ended();
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
        .storeImage(r.id(), r.png())
        .onComplete(
            stored -> {
              if (jobs.get(r.id()) == j && !terminal(j.status)) event(completed);
            });
  }

  private void get(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j != null) msg.reply(j.snapshot());
    else if (cluster != null) reply(msg, cluster.job(msg.body()));
    else msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
  }

  private void image(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null && cluster != null) reply(msg, cluster.image(msg.body()));
    else if (j == null) msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
    else if (j.png == null)
      msg.fail(
          ServiceException.CONFLICT,
          "edit " + msg.body() + " is " + j.status + ", it has no image");
    else msg.reply(Buffer.buffer(j.png));
  }

  private void cancel(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null && cluster != null) {
      reply(msg, cluster.cancel(msg.body()));
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
    if (state == null && cluster != null && cluster.templateHeld(msg.body())) state = "ready";
    if (state == null) msg.fail(ServiceException.NOT_FOUND, "unknown template id " + msg.body());
    else msg.reply(new JsonObject().put("template_id", msg.body()).put("status", state));
  }

  /** Answers with what the cluster found, or its failure's status. */
  private static <T> void reply(Message<String> msg, Future<T> answer) {
    answer
        .onSuccess(msg::reply)
        .onFailure(err -> msg.fail(ServiceException.statusOf(err), err.getMessage()));
  }

  private static boolean terminal(String status) {
    return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
  }

  /** This table as the cluster's side reads and feeds it. */
  private final class Table implements ClusterJobs.Table {
    @Override
    public JobMirror mirror(String id) {
      Job j = jobs.get(id);
      return j == null ? null : j.mirror;
    }

    @Override
    public List<JobMirror> unfinished() {
      return jobs.values().stream().filter(j -> !terminal(j.status)).map(j -> j.mirror).toList();
    }

    @Override
    public JobMirror adopt(JobRecord r) {
      Job j = new Job(r.registration(), cluster);
      j.status = r.status();
      j.position = r.position();
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
