package io.instgenie.cli;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.bench.WorkloadTrace;
import io.instgenie.verticles.sim.SimRequest;
import io.instgenie.verticles.sim.SimWorkloads;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The requests of a simulation at a given rate: the built-in workload drawn for that rate, or a
 * workload file with its arrivals rescaled to it; {@code source} says which, for the report.
 */
record SimArrivals(String source, DoubleFunction<List<SimRequest>> of) {
  List<SimRequest> at(double rate) {
    return of.apply(rate);
  }

  List<SimRequest> requests() {
    return of.apply(1);
  }

  /** A workload file (make-workload), whose images must have the model's tokens. */
  static SimArrivals file(Path workload, String preset, ModelConfig c) {
    WorkloadTrace t = WorkloadTrace.read(workload);
    int grid = t.spec().imageSize() / t.spec().patchSize();
    if (grid * grid != c.imageTokens())
      throw new IllegalArgumentException(
          workload
              + " has "
              + grid * grid
              + " tokens per image; --preset "
              + preset
              + " has "
              + c.imageTokens());
    double fileRate = t.spec().rateRps();
    return new SimArrivals(workload.toString(), r -> SimWorkloads.of(t.requests(), fileRate / r));
  }

  /** The built-in workload of {@code shape}, drawn anew for each rate. */
  static SimArrivals builtIn(WorkloadOptions shape, double maskMean, ModelConfig c) {
    List<Integer> s = shape.steps(List.of(c.defaultSteps()));
    return new SimArrivals(
        String.format(
            Locale.ROOT,
            "built-in: mask mean %.2f, %d requests, %d templates (Zipf %.1f), steps %s, seed %d",
            maskMean,
            shape.requests,
            shape.templates,
            shape.zipf,
            s,
            shape.seed),
        r ->
            SimWorkloads.of(
                WorkloadTrace.requests(
                    new WorkloadTrace.Spec(
                        shape.seed,
                        shape.requests,
                        r,
                        shape.templates,
                        shape.zipf,
                        c.imageSize(),
                        c.patchSize(),
                        maskMean,
                        WorkloadTrace.PROMPTS,
                        s)),
                1));
  }
}
