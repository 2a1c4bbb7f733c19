package io.instgenie.verticles.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One progress event of a job: a typed {@link Body} with the job's id and its number. {@code seq}
 * is assigned by the job table (0 until then), so late subscribers can skip what they saw. The JSON
 * form of every event (what clients read, and what crosses the wire) is written here, once.
 */
public record JobEvent(String id, long seq, Body body) {
  /** What happened; each kind knows the status it moves its job to and its JSON fields. */
  public sealed interface Body
      permits Queued, Requeued, Started, TemplateStep, Step, Completed, Failed, Cancelled {
    /** The status a job has after this event. */
    JobStatus status();

    /** The event's name in JSON and in SSE's {@code event:} line. */
    String type();

    /** Adds the event's own fields to its JSON form. */
    void write(Map<String, Object> out);
  }

  /**
   * Waiting in a worker's queue at {@code position} (1 = next); {@code etaMs}: when it should
   * finish, from the worker's projection of its steps (null when not estimated).
   */
  public record Queued(int position, long workerStep, Long etaMs) implements Body {
    public Queued(int position, long workerStep) {
      this(position, workerStep, null);
    }

    public JobStatus status() {
      return JobStatus.QUEUED;
    }

    public String type() {
      return "queued";
    }

    public void write(Map<String, Object> out) {
      out.put("position", position);
      out.put("worker_step", workerStep);
      if (etaMs != null) out.put("eta_ms", etaMs);
    }
  }

  /** Clustered: placed afresh after the node {@code from} left. */
  public record Requeued(String from) implements Body {
    public JobStatus status() {
      return JobStatus.QUEUED;
    }

    public String type() {
      return "requeued";
    }

    public void write(Map<String, Object> out) {
      out.put("from", from);
    }
  }

  /** Left the queue for a batch slot; {@code node} names the node running it (clustered only). */
  public record Started(long workerStep, String node) implements Body {
    public JobStatus status() {
      return JobStatus.RUNNING;
    }

    public String type() {
      return "started";
    }

    public void write(Map<String, Object> out) {
      out.put("worker_step", workerStep);
      if (node != null) out.put("node", node);
    }
  }

  /** A step of the template run the edit waits for. */
  public record TemplateStep(int step, int total) implements Body {
    public JobStatus status() {
      return JobStatus.RUNNING;
    }

    public String type() {
      return "template";
    }

    public void write(Map<String, Object> out) {
      out.put("step", step);
      out.put("total", total);
    }
  }

  /** Denoising step {@code step} of {@code total} done. */
  public record Step(int step, int total, long etaMs, long workerStep) implements Body {
    public JobStatus status() {
      return JobStatus.RUNNING;
    }

    public String type() {
      return "step";
    }

    public void write(Map<String, Object> out) {
      out.put("step", step);
      out.put("total", total);
      out.put("eta_ms", etaMs);
      out.put("worker_step", workerStep);
    }
  }

  /** Done; {@code templateId} is set for a template pre-warm (an edit's image is fetched). */
  public record Completed(Timings timings, String templateId) implements Body {
    public JobStatus status() {
      return JobStatus.COMPLETED;
    }

    public String type() {
      return "completed";
    }

    public void write(Map<String, Object> out) {
      out.put("timings", timings == null ? null : timings.toJson());
      if (templateId != null) out.put("template_id", templateId);
    }
  }

  /** Ended without a result. */
  public record Failed(String error) implements Body {
    /** The error of an edit that ran past its deadline. */
    public static final String DEADLINE_EXCEEDED = "deadline exceeded";

    /** The error of an edit a drain ended unfinished. */
    public static final String SHUT_DOWN = "node shut down";

    public JobStatus status() {
      return JobStatus.FAILED;
    }

    public String type() {
      return "failed";
    }

    public void write(Map<String, Object> out) {
      out.put("error", error);
    }
  }

  /**
   * Cancelled: {@code workerStep} is the steps its worker had run when it left, {@code cancelStep}
   * those run when the cancel arrived (a client can count the steps run after it asked).
   */
  public record Cancelled(long workerStep, long cancelStep) implements Body {
    public JobStatus status() {
      return JobStatus.CANCELLED;
    }

    public String type() {
      return "cancelled";
    }

    public void write(Map<String, Object> out) {
      out.put("worker_step", workerStep);
      out.put("cancel_step", cancelStep);
    }
  }

  /** A new event (numbered by the job table). */
  public static JobEvent of(String id, Body body) {
    return new JobEvent(id, 0, body);
  }

  public JobEvent withSeq(long s) {
    return new JobEvent(id, s, body);
  }

  public JobEvent withBody(Body b) {
    return new JobEvent(id, seq, b);
  }

  public String type() {
    return body.type();
  }

  public boolean terminal() {
    return body.status().terminal();
  }

  /** The client's view, also the wire form: {"type", "id", "seq", then the event's fields}. */
  @JsonValue
  public Map<String, Object> toClient() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", body.type());
    m.put("id", id);
    m.put("seq", seq);
    body.write(m);
    return m;
  }

  /** True when {@code type} (an SSE {@code event:} name) ends a job. */
  public static boolean isTerminal(String type) {
    return isCompleted(type) || type.equals("failed") || type.equals("cancelled");
  }

  /** True when {@code type} (an SSE {@code event:} name) is {@code completed}. */
  public static boolean isCompleted(String type) {
    return type.equals("completed");
  }

  /** Reads {@link #toClient()}'s form back. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static JobEvent fromClient(Map<String, Object> m) {
    String type = (String) m.get("type");
    Body body =
        switch (type) {
          case "queued" ->
              new Queued(
                  integer(m, "position"),
                  number(m, "worker_step"),
                  m.get("eta_ms") == null ? null : number(m, "eta_ms"));
          case "requeued" -> new Requeued((String) m.get("from"));
          case "started" -> new Started(number(m, "worker_step"), (String) m.get("node"));
          case "template" -> new TemplateStep(integer(m, "step"), integer(m, "total"));
          case "step" ->
              new Step(
                  integer(m, "step"),
                  integer(m, "total"),
                  number(m, "eta_ms"),
                  number(m, "worker_step"));
          case "completed" ->
              new Completed(
                  Timings.fromJson(timings(m.get("timings"))), (String) m.get("template_id"));
          case "failed" -> new Failed((String) m.get("error"));
          case "cancelled" -> new Cancelled(number(m, "worker_step"), number(m, "cancel_step"));
          default -> throw new IllegalArgumentException("unknown job event type " + type);
        };
    return new JobEvent((String) m.get("id"), number(m, "seq"), body);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> timings(Object o) {
    return (Map<String, Object>) o;
  }

  private static long number(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number n ? n.longValue() : 0;
  }

  private static int integer(Map<String, Object> m, String key) {
    return (int) number(m, key);
  }
}
