/**
 * What the service reports about itself: Prometheus metrics ({@link
 * io.instgenie.verticles.metrics.ServiceMetrics}) and liveness/readiness ({@link
 * io.instgenie.verticles.metrics.ServiceHealth}). A leaf shared by the verticles, the HTTP layer
 * and the cluster tier.
 */
package io.instgenie.verticles.metrics;
