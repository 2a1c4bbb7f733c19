package io.instgenie.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that shape a generated workload, declared once for the commands that draw one ({@code
 * bench e2e}, {@code make-workload}, {@code simulate}): the seed has one default everywhere; the
 * size of a run, its templates and their skew are each command's (a simulated run is far longer and
 * wider than a live one), given at construction and shown in the help.
 */
final class WorkloadOptions {
  @Option(names = "--requests", description = "Requests per run (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--templates", description = "Distinct templates (default ${DEFAULT-VALUE}).")
  int templates;

  @Option(
      names = "--zipf",
      description = "Template popularity ∝ 1/rank^s (default ${DEFAULT-VALUE}).")
  double zipf;

  @Option(
      names = "--steps",
      split = ",",
      description = "Step counts, drawn uniformly per request (default: the command's).")
  List<Integer> steps;

  @Option(names = "--seed", description = "Seed of the workload (default ${DEFAULT-VALUE}).")
  long seed = 1;

  WorkloadOptions(int requests, int templates, double zipf) {
    this.requests = requests;
    this.templates = templates;
    this.zipf = zipf;
  }

  /** The step counts asked for, or {@code fallback}. */
  List<Integer> steps(List<Integer> fallback) {
    return steps != null ? steps : fallback;
  }
}
