package io.instgenie.verticles.policy;

import io.instgenie.cache.TierKind;
import java.util.List;
import java.util.Map;

/**
 * The balancer's view of one denoise worker: its running members' loads, queue length and the
 * tokens per step its queued requests will compute, batch capacity, the tier at which it can read
 * each template (its own memory or disk, or {@link TierKind#REMOTE} when another node holds it; a
 * template not listed needs a template run), and its fitted load time of one (step, block) segment
 * from each tier, in ms (a tier left out cannot be priced).
 */
public record WorkerView(
    int worker,
    List<MemberLoad> running,
    int queued,
    int queuedTokens,
    int maxBatch,
    Map<String, TierKind> templates,
    Map<TierKind, Double> msPerSegment) {
  public int tokensPerStep() {
    int n = 0;
    for (MemberLoad r : running) n += r.rowsPerStep();
    return n;
  }

  /** Running plus queued requests. */
  public int requests() {
    return running.size() + queued;
  }

  public boolean hasRoom() {
    return running.size() + queued < maxBatch;
  }
}
