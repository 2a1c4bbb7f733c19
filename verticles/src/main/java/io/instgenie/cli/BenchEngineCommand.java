package io.instgenie.cli;

import io.instgenie.kernels.backend.TimedBackend;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code instgenie bench engine}: full vs masked step latency (cache Y and cache K/V) against the
 * FLOP prediction and sgemm speed.
 */
@Command(
    name = "engine",
    description =
        "Median step latency, full and masked forward (cache Y and cache K/V), batch 1 and 8.")
final class BenchEngineCommand implements Callable<Integer> {
  @Option(
      names = "--preset",
      description = "Random-weight preset instead of --model (tiny or bench).")
  String preset;

  @Option(names = "--reps", defaultValue = "7", description = "Timed runs per case (median taken).")
  int reps;

  @Option(names = "--batches", defaultValue = "1,8", split = ",")
  int[] batches;

  @Option(names = "--json")
  boolean json;

  @Option(
      names = "--kv",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also time the masked forward in cache-K/V mode (default on; --no-kv skips it).")
  boolean kv;

  @Option(
      names = "--profile",
      description =
          "Instead of the benchmark: where the time of the full step and of the masked step at"
              + " ratio 0.2 goes, per kind of kernel (mean ms per step).")
  boolean profile;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() {
    if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
    if (preset != null && modelOptions.model != null)
      throw new IllegalArgumentException("--model and --preset exclude each other");
    DitModel model =
        preset != null ? DitModel.random(Presets.byName(preset), 0) : modelOptions.load();
    if (profile) {
      TimedBackend timed = new TimedBackend(modelOptions.backend());
      List<EngineBench.ProfileRow> rows =
          new EngineBench(new DitForward(model, timed), reps, kv).profile(batches, 0.2);
      System.out.println(json ? ModelFiles.toJson(profileJson(rows)) : profileTable(rows));
      return 0;
    }
    EngineBench.Result r =
        new EngineBench(new DitForward(model, modelOptions.backend()), reps, kv).run(batches);
    System.out.println(json ? ModelFiles.toJson(toJson(r)) : table(r));
    return 0;
  }

  private static Map<String, Object> toJson(EngineBench.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", r.tokens());
    m.put("backend", r.backend());
    EngineBench.BatchResult first = r.batches().get(0);
    m.put("full_step_ms", first.fullStepMs());
    m.put("masked_step_ms", first.maskedStepMs());
    m.put("flop_speedup", r.flopSpeedup());
    if (!r.kvFlopSpeedup().isEmpty()) {
      m.put("kv_masked_step_ms", first.kvMaskedStepMs());
      m.put("kv_flop_speedup", r.kvFlopSpeedup());
      m.put("kv_vs_y_speedup", first.kvOverY());
    }
    m.put("sgemm_gflops", r.sgemmGflops());
    m.put("full_gflops", r.fullGflops());
    Map<String, Object> perBatch = new LinkedHashMap<>();
    for (EngineBench.BatchResult b : r.batches()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("full_step_ms", b.fullStepMs());
      x.put("masked_step_ms", b.maskedStepMs());
      x.put("speedup", b.measuredSpeedup());
      if (!b.kvMaskedStepMs().isEmpty()) {
        x.put("kv_masked_step_ms", b.kvMaskedStepMs());
        x.put("kv_speedup", b.kvMeasuredSpeedup());
        x.put("kv_vs_y_speedup", b.kvOverY());
      }
      perBatch.put(String.valueOf(b.batch()), x);
    }
    m.put("batches", perBatch);
    return m;
  }

  private static List<Map<String, Object>> profileJson(List<EngineBench.ProfileRow> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (EngineBench.ProfileRow r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("batch", r.batch());
      m.put("cache", r.cache());
      m.put("ratio", r.ratio());
      m.put("step_ms", r.stepMs());
      Map<String, Double> ops = new LinkedHashMap<>();
      r.opMs().forEach((op, ms) -> ops.put(op.name().toLowerCase(Locale.ROOT), ms));
      ops.put("other", other(r));
      m.put("op_ms", ops);
      out.add(m);
    }
    return out;
  }

  private static String profileTable(List<EngineBench.ProfileRow> rows) {
    StringBuilder sb = new StringBuilder("mean ms per step, by kind of kernel\n");
    sb.append(String.format("%-6s %-5s %-6s %9s", "batch", "cache", "ratio", "step"));
    for (TimedBackend.Op op : TimedBackend.Op.values()) {
      sb.append(String.format(" %10s", op.name().toLowerCase(Locale.ROOT)));
    }
    sb.append(String.format(" %10s%n", "other"));
    for (EngineBench.ProfileRow r : rows) {
      sb.append(String.format("%-6d %-5s %-6s %9.2f", r.batch(), r.cache(), r.ratio(), r.stepMs()));
      for (TimedBackend.Op op : TimedBackend.Op.values()) {
        sb.append(String.format(" %10.2f", r.opMs().get(op)));
      }
      sb.append(String.format(" %10.2f%n", other(r)));
    }
    return sb.toString();
  }

  /** The step's time outside every timed kernel. */
  private static double other(EngineBench.ProfileRow r) {
    return r.stepMs() - r.opMs().values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static String table(EngineBench.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format("engine benchmark: %d image tokens, backend %s%n", r.tokens(), r.backend()));
    sb.append(
        String.format(
            "sgemm (OpenBLAS, model shapes): %.1f GFLOP/s; full forward: %.1f GFLOP/s (%.0f%% of sgemm)%n%n",
            r.sgemmGflops(), r.fullGflops(), 100 * r.fullGflops() / r.sgemmGflops()));
    sb.append(
        String.format(
            "%-6s %-5s %-6s %12s %10s %10s %12s %8s%n",
            "batch", "cache", "ratio", "step ms", "speedup", "FLOP pred", "% of pred", "kv/y"));
    for (EngineBench.BatchResult b : r.batches()) {
      sb.append(
          String.format(
              "%-6d %-5s %-6s %12.1f %10s %10s %12s %8s%n",
              b.batch(), "-", "full", b.fullStepMs(), "1.00", "1.00", "", ""));
      for (String ratio : b.maskedStepMs().keySet()) {
        row(sb, b.batch(), "y", ratio, b.maskedStepMs(), b.measuredSpeedup(), r.flopSpeedup(), "");
      }
      for (String ratio : b.kvMaskedStepMs().keySet()) {
        String kvOverY = String.format("%.2f", b.kvOverY().get(ratio));
        row(
            sb,
            b.batch(),
            "kv",
            ratio,
            b.kvMaskedStepMs(),
            b.kvMeasuredSpeedup(),
            r.kvFlopSpeedup(),
            kvOverY);
      }
    }
    return sb.toString();
  }

  private static void row(
      StringBuilder sb,
      int batch,
      String cache,
      String ratio,
      Map<String, Double> ms,
      Map<String, Double> speedup,
      Map<String, Double> predicted,
      String kvOverY) {
    double pred = predicted.get(ratio);
    double got = speedup.get(ratio);
    sb.append(
        String.format(
            "%-6d %-5s %-6s %12.1f %10.2f %10.2f %11.0f%% %8s%n",
            batch, cache, ratio, ms.get(ratio), got, pred, 100 * got / pred, kvOverY));
  }
}
