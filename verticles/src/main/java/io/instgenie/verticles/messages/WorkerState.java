package io.instgenie.verticles.messages;

import io.instgenie.cache.TierKind;
import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.MemberLoad;
import java.util.List;
import java.util.Map;

/**
 * What a denoise worker tells the balancer, at least every step: its running batch (masked tokens
 * and remaining steps per sequence), its queue, its measured cost per computed token, the templates
 * it holds (fastest tier of each) and its fitted load time of one segment per tier (ms; empty until
 * calibrated), and its schedule to play forward for admission by estimate.
 */
public record WorkerState(
    int worker,
    List<MemberLoad> running,
    int queued,
    int maxBatch,
    double msPerToken,
    Map<String, TierKind> cachedTemplates,
    Map<TierKind, Double> msPerSegment,
    Forecast forecast) {
  public WorkerState {
    forecast = forecast == null ? Forecast.NONE : forecast;
  }
}
