package io.instgenie.verticles.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a finished job's time went, ms: waiting in the queue, waiting for its template run,
 * denoising, and encoding its image ({@code postProcessMs} null until post-processing ran, and for
 * a template pre-warm, which has no image).
 */
public record Timings(long queueMs, long templateRunMs, long denoiseMs, Long postProcessMs) {
  public Timings withPostProcess(long ms) {
    return new Timings(queueMs, templateRunMs, denoiseMs, ms);
  }

  /** The JSON form: snake_case keys, {@code post_process_ms} only once known. */
  @JsonValue
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queue_ms", queueMs);
    m.put("template_run_ms", templateRunMs);
    m.put("denoise_ms", denoiseMs);
    if (postProcessMs != null) m.put("post_process_ms", postProcessMs);
    return m;
  }

  /** Reads {@link #toJson()}'s form back; null stays null. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Timings fromJson(Map<String, Object> m) {
    if (m == null) return null;
    Object post = m.get("post_process_ms");
    return new Timings(
        num(m.get("queue_ms")),
        num(m.get("template_run_ms")),
        num(m.get("denoise_ms")),
        post == null ? null : num(post));
  }

  private static long num(Object o) {
    return ((Number) o).longValue();
  }
}
