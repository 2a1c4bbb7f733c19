package io.instgenie.verticles.messages;

import java.util.List;

/**
 * What a denoise worker tells the balancer, at least every step: its running batch (masked tokens
 * and remaining steps per sequence), its queue, and its measured cost per step.
 */
public record WorkerState(
    int worker,
    List<int[]> running,
    int queued,
    int maxBatch,
    double msPerStepBase,
    double msPerToken,
    List<String> cachedTemplates) {}
