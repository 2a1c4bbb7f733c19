package io.instgenie.verticles.messages;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One progress event of a job: {@code queued{position}}, {@code started}, {@code
 * template{step,total}}, {@code step{step,total,eta_ms}}, {@code completed{timings}}, {@code
 * failed{error}}, {@code cancelled}. {@code seq} is assigned by the job table (0 until then), so
 * late subscribers can skip what they saw.
 */
public record JobEvent(String id, long seq, String type, Map<String, Object> data) {
  public static JobEvent of(String id, String type, Object... keyValues) {
    Map<String, Object> d = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2)
      d.put((String) keyValues[i], keyValues[i + 1]);
    return new JobEvent(id, 0, type, d);
  }

  public JobEvent withSeq(long s) {
    return new JobEvent(id, s, type, data);
  }

  public boolean terminal() {
    return type.equals("completed") || type.equals("failed") || type.equals("cancelled");
  }

  /** The client's view: {"type": ..., "id": ..., "seq": ..., and the data keys}. */
  public Map<String, Object> toClient() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("id", id);
    m.put("seq", seq);
    m.putAll(data);
    return m;
  }
}
