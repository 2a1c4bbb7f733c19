package io.instgenie.kernels.backend;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Splits a loop over [0, n) into contiguous chunks run on a small daemon pool and the caller. */
final class Parallel {
  private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final ExecutorService POOL =
      Executors.newFixedThreadPool(
          Math.max(1, THREADS - 1),
          r -> {
            Thread t = new Thread(r, "instgenie-kernel-" + IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  /** A chunk body: handles indices [from, to). */
  interface Range {
    void run(int from, int to);
  }

  private Parallel() {}

  static int threads() {
    return THREADS;
  }

  /**
   * Runs body over [0, n); work below {@code minPerThread} items per thread stays on the caller.
   */
  static void forRange(int n, int minPerThread, Range body) {
    int parts = Math.min(THREADS, Math.max(1, n / Math.max(1, minPerThread)));
    if (parts <= 1) {
      body.run(0, n);
      return;
    }
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int p = 1; p < parts; p++) {
      int from = (int) ((long) n * p / parts);
      int to = (int) ((long) n * (p + 1) / parts);
      futures[p - 1] = POOL.submit(() -> body.run(from, to));
    }
    body.run(0, (int) ((long) n / parts));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a kernel chunk", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("kernel chunk failed", e.getCause());
      }
    }
  }
}
