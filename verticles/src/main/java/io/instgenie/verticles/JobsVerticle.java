package io.instgenie.verticles;

import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
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

    Job(Registration reg) {
      this.reg = reg;
    }
  }

  public JobsVerticle(int capacity, int resultsKept, ServiceMetrics metrics) {
    this.capacity = capacity;
    this.resultsKept = resultsKept;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    metrics.gauge(
        "instgenie_jobs_unfinished", "Jobs admitted and not yet finished", () -> unfinished);
    return Future.all(
        List.of(
            bus.<Registration>consumer(Addresses.JOB_REGISTER, this::register).completion(),
            bus.<JobEvent>consumer(Addresses.JOB_EVENT, m -> event(m.body())).completion(),
            bus.<EncodedResult>consumer(Addresses.JOB_RESULT, m -> result(m.body())).completion(),
            bus.<String>consumer(Addresses.JOB_GET, this::get).completion(),
            bus.<String>consumer(Addresses.JOB_IMAGE, this::image).completion(),
            bus.<String>consumer(Addresses.JOB_CANCEL, this::cancel).completion(),
            bus.<String>consumer(Addresses.TEMPLATE_GET, this::template).completion()));
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
    jobs.put(r.id(), new Job(r));
    templates.putIfAbsent(r.templateId(), "pending");
    templateUsers.merge(r.templateId(), 1, Integer::sum);
    unfinished++;
    msg.reply(Boolean.TRUE);
  }

  private void event(JobEvent e) {
    Job j = jobs.get(e.id());
    if (j == null || terminal(j.status)) return;
    JobEvent numbered = e.withSeq(j.events.size() + 1);
    switch (e.type()) {
      case "queued" -> j.position = (Integer) e.data().get("position");
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
    finishedOrder.put(j.reg.id(), Boolean.TRUE);
    for (var it = finishedOrder.keySet().iterator();
        finishedOrder.size() > resultsKept && it.hasNext(); ) {
      jobs.remove(it.next());
      it.remove();
    }
  }

  private void result(EncodedResult r) {
    Job j = jobs.get(r.id());
    if (j == null || terminal(j.status)) return;
    j.png = r.png();
    event(JobEvent.of(r.id(), "completed", "timings", r.timings()));
  }

  private void get(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null) {
      msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
      return;
    }
    msg.reply(
        new JobSnapshot(
            j.reg.id(),
            j.status,
            j.reg.templateId(),
            j.reg.steps(),
            j.reg.seed(),
            j.position,
            j.timings,
            j.error,
            List.copyOf(j.events)));
  }

  private void image(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null) msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
    else if (j.png == null)
      msg.fail(
          ServiceException.CONFLICT,
          "edit " + msg.body() + " is " + j.status + ", it has no image");
    else msg.reply(Buffer.buffer(j.png));
  }

  private void cancel(Message<String> msg) {
    Job j = jobs.get(msg.body());
    if (j == null) {
      msg.fail(ServiceException.NOT_FOUND, "unknown edit id " + msg.body());
      return;
    }
    if (!terminal(j.status)) vertx.eventBus().publish(Addresses.WORKER_CANCEL, msg.body());
    msg.reply(j.status);
  }

  private void template(Message<String> msg) {
    String state = templates.get(msg.body());
    if (state == null) msg.fail(ServiceException.NOT_FOUND, "unknown template id " + msg.body());
    else msg.reply(new JsonObject().put("template_id", msg.body()).put("status", state));
  }

  private static boolean terminal(String status) {
    return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
  }
}
