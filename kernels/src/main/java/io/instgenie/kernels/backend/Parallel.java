package io.instgenie.kernels.backend;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over [0, n) into contiguous chunks run on a few spinning helper threads and the
 * caller. A forward pass calls this some fifteen times per block, each for tens of microseconds of
 * work, so the hand-off must cost far less than that: an executor's queue and futures cost ~29 µs
 * per call on this VM (two thread wake-ups), more than a small model's kernels themselves. Here a
 * helper spins on its task slot for {@link #SPIN_NS} after its last chunk before it parks, and the
 * caller spins until its helpers are done, so back-to-back kernels hand off in about a microsecond.
 * One caller at a time uses the helpers; a concurrent or nested caller runs its loop alone. Public
 * for the host-side copies of a forward (cached-row gathers), which run between its kernels.
 */
public final class Parallel {
  private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

  /** How long an idle helper spins before it parks: longer than the gaps inside a forward. */
  private static final long SPIN_NS = 200_000;

  /** How long the caller spins on a helper's chunk before it also yields the core. */
  private static final long WAIT_SPIN_NS = 50_000;

  private static final Helper[] HELPERS = new Helper[THREADS - 1];

  /** Held by the one caller whose chunks the helpers run. */
  private static final AtomicBoolean IN_USE = new AtomicBoolean();

  static {
    for (int i = 0; i < HELPERS.length; i++) {
      HELPERS[i] = new Helper("instgenie-kernel-" + (i + 1));
      HELPERS[i].start();
    }
  }

  /** A chunk body: handles indices [from, to). */
  public interface Range {
    void run(int from, int to);
  }

  private Parallel() {}

  static int threads() {
    return THREADS;
  }

  /**
   * Runs body over [0, n); work below {@code minPerThread} items per thread stays on the caller.
   */
  public static void forRange(int n, int minPerThread, Range body) {
    int parts = Math.min(THREADS, Math.max(1, n / Math.max(1, minPerThread)));
    if (parts <= 1 || !IN_USE.compareAndSet(false, true)) {
      body.run(0, n);
      return;
    }
    try {
      for (int p = 1; p < parts; p++) {
        HELPERS[p - 1].post(body, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
      }
      Throwable failure = null;
      try {
        body.run(0, (int) ((long) n / parts));
      } catch (Throwable t) {
        failure = t;
      }
      for (int p = 1; p < parts; p++) {
        Throwable t = HELPERS[p - 1].await();
        if (failure == null) failure = t;
      }
      if (failure instanceof RuntimeException e) throw e;
      if (failure instanceof Error e) throw e;
      if (failure != null) throw new IllegalStateException("kernel chunk failed", failure);
    } finally {
      IN_USE.set(false);
    }
  }

  /**
   * A daemon thread with a one-task slot. The poster writes the task, then the volatile {@code
   * posted}; the helper runs it and writes the volatile {@code done}. Parking is the usual Dekker
   * pair: the helper sets {@code parked} and re-reads {@code posted}; the poster writes {@code
   * posted} and reads {@code parked}, so one of them sees the other.
   */
  private static final class Helper extends Thread {
    private volatile long posted;
    private volatile long done;
    private volatile boolean parked;
    private Range body;
    private int from;
    private int to;
    private Throwable failure;

    Helper(String name) {
      super(name);
      setDaemon(true);
    }

    void post(Range b, int f, int t) {
      body = b;
      from = f;
      to = t;
      failure = null;
      posted = posted + 1; // only the one caller holding IN_USE writes it
      if (parked) LockSupport.unpark(this);
    }

    /** Waits for the posted chunk; its failure, or null. */
    Throwable await() {
      long want = posted;
      long spinUntil = System.nanoTime() + WAIT_SPIN_NS;
      while (done != want) {
        if (System.nanoTime() < spinUntil) Thread.onSpinWait();
        else Thread.yield();
      }
      Throwable t = failure;
      body = null; // no reference kept to the caller's lambda
      return t;
    }

    @Override
    public void run() {
      long seen = 0;
      while (true) {
        long spinUntil = System.nanoTime() + SPIN_NS;
        while (posted == seen) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          } else {
            parked = true;
            if (posted == seen) LockSupport.park(this);
            parked = false;
            spinUntil = System.nanoTime() + SPIN_NS;
          }
        }
        seen = posted;
        try {
          body.run(from, to);
        } catch (Throwable t) {
          failure = t;
        }
        done = seen;
      }
    }
  }
}
