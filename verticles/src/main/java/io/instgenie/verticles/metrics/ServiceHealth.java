package io.instgenie.verticles.metrics;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node takes edits: every denoise worker has finished starting and at least one runs,
 * and the node is not draining. A worker that failed to start is kept with its reason (for {@code
 * /health/ready} and the log); the others serve. Thread-safe.
 */
public final class ServiceHealth {
  /** What {@code /health/ready} says. */
  public record Readiness(boolean ready, String status, Map<Integer, String> failedWorkers) {}

  private final int workers;
  private final Set<Integer> up = ConcurrentHashMap.newKeySet();
  private final Map<Integer, String> failed = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public ServiceHealth(int workers) {
    this.workers = workers;
  }

  /** Worker {@code index} runs its step loop. */
  public void workerUp(int index) {
    up.add(index);
  }

  /** Worker {@code index} could not start, for {@code reason}; it takes no task. */
  public void workerFailed(int index, String reason) {
    failed.put(index, reason);
  }

  /** The node stops taking edits (it is being drained). */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  public boolean ready() {
    return readiness().ready();
  }

  public Readiness readiness() {
    Map<Integer, String> f = new TreeMap<>(failed);
    boolean started = up.size() + f.size() >= workers;
    String status;
    if (draining) status = "DRAINING";
    else if (!started) status = "WARMING_UP";
    else if (up.isEmpty()) status = "NO_WORKER";
    else status = "READY";
    return new Readiness(status.equals("READY"), status, f);
  }
}
