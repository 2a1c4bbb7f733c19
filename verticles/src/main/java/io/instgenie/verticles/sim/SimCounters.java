package io.instgenie.verticles.sim;

import io.instgenie.cache.TierKind;
import java.util.ArrayList;
import java.util.List;

/** What one simulated run counts: completions with their latencies, lookups, template runs. */
final class SimCounters {
  // {arrival ms, completion ms, priority rank}
  final List<double[]> completions = new ArrayList<>();
  long lookups;
  long memoryHits;
  long diskHits;
  long templateRuns;
  long promotions;

  void finished(SimRequest r, double nowMs) {
    completions.add(new double[] {r.atMs(), nowMs, r.priority().rank()});
  }

  void lookup(TierKind tier) {
    lookups++;
    if (tier == TierKind.MEMORY) memoryHits++;
    else if (tier == TierKind.DISK) diskHits++;
  }

  void templateRun() {
    templateRuns++;
  }
}
