package io.instgenie.verticles.policy;

/**
 * A member a step may run: its work, its first-come order ({@code order}: started members in
 * joining order, then queued ones in queue order) and the worker steps it has waited since it last
 * ran (or since it was queued).
 *
 * @param <M> the member
 */
public record StepCandidate<M>(M member, StepWork work, long order, long waitedSteps) {}
