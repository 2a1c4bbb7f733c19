package io.instgenie.verticles.bench;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.verticles.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The end-to-end comparison: the same seeded workload replayed against an in-process service in
 * each server mode, at each request rate. Arrival times scale with the rate (the same uniform draws
 * divided by the rate), so every rate and mode sees the same requests in the same order.
 */
public final class E2eBench {
  /** A server configuration compared, as config switches on top of {@link ServeBench}'s. */
  public enum Mode {
    /** Activation cache, continuous batching, cost routing. */
    INSTGENIE("instgenie", Map.of("mode", "instgenie")),
    /** Full recompute, static batching, round-robin (the Diffusers-style server). */
    BASELINE("baseline", Map.of("mode", "baseline")),
    /** Ablation: the baseline with the activation cache on. */
    CACHE_ONLY("cache_only", Map.of("mode", "baseline", "cache", "on")),
    /** Ablation: the baseline with continuous batching. */
    BATCHING_ONLY("batching_only", Map.of("mode", "baseline", "batching", "continuous")),
    /** InstGenIE with template runs caching attention keys and values ({@code cache_mode=kv}). */
    INSTGENIE_KV("instgenie_kv", Map.of("mode", "instgenie", "cache_mode", "kv"));

    private final String key;
    private final Map<String, String> switches;

    Mode(String key, Map<String, String> switches) {
      this.key = key;
      this.switches = switches;
    }

    /** The name in tables and JSON. */
    public String key() {
      return key;
    }

    public Map<String, String> switches() {
      return switches;
    }

    public static Mode parse(String s) {
      String n = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (Mode m : values()) if (m.key.equals(n)) return m;
      throw new IllegalArgumentException(
          "modes are instgenie, instgenie_kv, baseline, cache_only and batching_only, got '"
              + s
              + "'");
    }
  }

  /**
   * Every mode's statistics at one rate, in run order. {@code offeredRps} is the rate the sample
   * realised (requests over the last arrival time): with few requests it differs from the nominal
   * {@code rateRps}.
   */
  public record RateResult(double rateRps, double offeredRps, Map<Mode, ServeBench.Stats> modes) {}

  /**
   * Each mode's capacity — the whole workload submitted at once, completed requests over the time
   * from the first submission to the last completion — and every mode run at the baseline's
   * capacity, its arrivals scaled so that the sample realises that rate (to the millisecond).
   */
  public record Saturation(Map<Mode, Double> capacityRps, RateResult atBaselineCapacity) {}

  /** Arrivals this fast all land in the first millisecond: a burst. */
  static final double BURST_RATE = 1e7;

  private final DitModel model;
  private final int maxBatch;
  private final Map<String, String> common;
  private final Consumer<String> progress;

  /**
   * @param common config keys applied to every mode before its own switches (e.g. {@code workers})
   */
  public E2eBench(
      DitModel model, int maxBatch, Map<String, String> common, Consumer<String> progress) {
    this.model = model;
    this.maxBatch = maxBatch;
    this.common = Map.copyOf(common);
    this.progress = progress;
  }

  private ServiceConfig config(Mode m) {
    Map<String, String> keys = new LinkedHashMap<>(common);
    keys.putAll(m.switches());
    return ServeBench.benchConfig(maxBatch, keys);
  }

  /** The workload of {@code spec} at another arrival rate (same seed: the same requests). */
  public static WorkloadTrace atRate(WorkloadTrace.Spec spec, double rate) {
    return WorkloadTrace.generate(
        new WorkloadTrace.Spec(
            spec.seed(),
            spec.requests(),
            rate,
            spec.templates(),
            spec.zipfS(),
            spec.imageSize(),
            spec.patchSize(),
            spec.maskMean(),
            spec.prompts(),
            spec.steps()));
  }

  /** A discarded short run so the measured ones do not pay JIT and first-use costs. */
  public void warmUp(WorkloadTrace.Spec spec, double rate) throws Exception {
    WorkloadTrace t = atRate(spec, rate);
    List<Workload.Arrival> a = t.arrivals();
    progress.accept("warm-up: " + Math.min(6, a.size()) + " requests");
    new ServeBench()
        .run(model, config(Mode.INSTGENIE), a.subList(0, Math.min(6, a.size())), t::template);
  }

  public List<RateResult> run(WorkloadTrace.Spec spec, List<Double> rates, List<Mode> modes)
      throws Exception {
    List<RateResult> out = new ArrayList<>();
    for (double rate : rates) {
      WorkloadTrace t = atRate(spec, rate);
      List<Workload.Arrival> arrivals = t.arrivals();
      Map<Mode, ServeBench.Stats> byMode = new LinkedHashMap<>();
      for (Mode m : modes) {
        long start = System.nanoTime();
        ServeBench.Stats s = new ServeBench().run(model, config(m), arrivals, t::template);
        progress.accept(
            String.format(
                Locale.ROOT,
                "rate %.3f/s %-13s %d done, %d failed, mean %.0f ms (run took %.0f s)",
                rate,
                m.key(),
                s.completed(),
                s.failed(),
                s.meanMs(),
                (System.nanoTime() - start) / 1e9));
        byMode.put(m, s);
      }
      out.add(new RateResult(rate, offered(arrivals), byMode));
    }
    return out;
  }

  /** {@link Saturation} of {@code modes}, which must include the baseline. */
  public Saturation saturation(WorkloadTrace.Spec spec, List<Mode> modes) throws Exception {
    if (!modes.contains(Mode.BASELINE))
      throw new IllegalArgumentException("the saturation run needs the baseline mode");
    WorkloadTrace burst = atRate(spec, BURST_RATE);
    Map<Mode, Double> capacity = new LinkedHashMap<>();
    for (Mode m : modes) {
      ServeBench.Stats s =
          new ServeBench().run(model, config(m), burst.arrivals(), burst::template);
      progress.accept(
          String.format(
              Locale.ROOT,
              "capacity %-13s %d done, %d failed, %.3f/s",
              m.key(),
              s.completed(),
              s.failed(),
              s.throughputRps()));
      capacity.put(m, s.throughputRps());
    }
    double rate = capacity.get(Mode.BASELINE);
    if (!(rate > 0))
      throw new IllegalStateException(
          "the baseline completed no request of the burst, so it has no saturation rate");
    // arrival times scale with 1/rate, so this nominal rate realises exactly `rate`
    double nominal = rate * rate / offered(atRate(spec, rate).arrivals());
    RateResult r = run(spec, List.of(nominal), modes).get(0);
    return new Saturation(capacity, new RateResult(rate, r.offeredRps(), r.modes()));
  }

  /** Requests over the last arrival time: the rate a sample realises. */
  static double offered(List<Workload.Arrival> arrivals) {
    long last = arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1).atMs();
    return arrivals.size() / Math.max(1e-3, last / 1000.0);
  }
}
