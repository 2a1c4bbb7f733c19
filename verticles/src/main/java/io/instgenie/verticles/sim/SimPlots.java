package io.instgenie.verticles.sim;

import io.instgenie.verticles.bench.E2ePlots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Latency against request rate per routing policy (mean solid, P95 dashed), as one PNG. */
public final class SimPlots {
  private SimPlots() {}

  public static List<Path> latencyVsRate(
      Path dir, int workers, Map<Double, List<SimResult>> sweep, double maskMean) {
    if (sweep.isEmpty()) return List.of();
    List<String> policies = new ArrayList<>();
    for (SimResult r : sweep.values().iterator().next()) policies.add(r.policy());
    double[] rates = sweep.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    List<E2ePlots.Series> series = new ArrayList<>();
    for (int p = 0; p < policies.size(); p++) {
      double[] mean = new double[rates.length];
      double[] p95 = new double[rates.length];
      int i = 0;
      for (List<SimResult> row : sweep.values()) {
        mean[i] = row.get(p).meanMs() / 1000;
        p95[i++] = row.get(p).p95Ms() / 1000;
      }
      series.add(
          new E2ePlots.Series(
              policies.get(p) + " mean", rates, mean, E2ePlots.Style.LINE, E2ePlots.colour(p)));
      series.add(
          new E2ePlots.Series(
              policies.get(p) + " P95", rates, p95, E2ePlots.Style.DASHED, E2ePlots.colour(p)));
    }
    Path file = dir.resolve(String.format(Locale.ROOT, "simulate-latency-w%d.png", workers));
    return List.of(
        E2ePlots.write(
            file,
            String.format(
                Locale.ROOT,
                "Simulated latency vs rate, %d workers, mask-ratio mean %.2f",
                workers,
                maskMean),
            "requests per second",
            "latency (s)",
            series));
  }
}
