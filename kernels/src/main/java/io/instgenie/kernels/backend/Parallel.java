package io.instgenie.kernels.backend;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over [0, n) into contiguous chunks that a few spinning helper threads and the
 * caller claim one at a time. A forward pass calls this some fifteen times per block, each for tens
 * of microseconds of work, so the hand-off must cost far less than that: an executor's queue and
 * futures cost ~29 µs per call on this VM (two thread wake-ups), more than a small model's kernels
 * themselves. Here a helper spins on its job slot for {@link #SPIN_NS} after its last chunk before
 * it parks, and the caller spins until every chunk is done, so back-to-back kernels hand off in
 * about a microsecond.
 *
 * <p>There are {@link #GRAIN} chunks per thread, claimed from a shared counter, not one fixed chunk
 * each: when another thread of the process (a cache loader, a codec) takes a core from one of the
 * loop's threads for a while, the others take its chunks instead of waiting for it. A chunk's
 * bounds depend only on n and the chunk count, never on which thread runs it, so results do not
 * depend on timing. One caller at a time uses the helpers; a concurrent or nested caller runs its
 * loop alone. Public for the host-side copies of a forward (cached-row gathers), which run between
 * its kernels.
 */
public final class Parallel {
  private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

  /** Chunks per thread: enough for the others to absorb a thread that lost its core. */
  static final int GRAIN = 4;

  /** How long an idle helper spins before it parks: longer than the gaps inside a forward. */
  private static final long SPIN_NS = 200_000;

  /** How long the caller spins on the last chunks before it also yields the core. */
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
   * Runs body over [0, n); work below {@code minPerThread} items per thread stays on the caller,
   * and no chunk is smaller than half of it.
   */
  public static void forRange(int n, int minPerThread, Range body) {
    int min = Math.max(1, minPerThread);
    int parts = Math.min(THREADS, Math.max(1, n / min));
    if (parts <= 1 || !IN_USE.compareAndSet(false, true)) {
      body.run(0, n);
      return;
    }
    try {
      int chunks = Math.max(parts, Math.min(parts * GRAIN, n / Math.max(1, min / 2)));
      Job job = new Job(body, n, chunks);
      for (int p = 1; p < parts; p++) HELPERS[p - 1].post(job);
      job.work();
      job.await();
      Throwable failure = job.failure.get();
      if (failure instanceof RuntimeException e) throw e;
      if (failure instanceof Error e) throw e;
      if (failure != null) throw new IllegalStateException("kernel chunk failed", failure);
    } finally {
      IN_USE.set(false);
    }
  }

  /** One call's chunks: claimed from {@code next}, counted in {@code finished}. */
  private static final class Job {
    private final Range body;
    private final int n;
    private final int chunks;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(Range body, int n, int chunks) {
      this.body = body;
      this.n = n;
      this.chunks = chunks;
    }

    /** Runs chunks until none is left to claim. */
    void work() {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        try {
          body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          finished.incrementAndGet();
        }
      }
    }

    /** Waits until every claimed chunk has ended (the caller has claimed all that were left). */
    void await() {
      long spinUntil = System.nanoTime() + WAIT_SPIN_NS;
      while (finished.get() < chunks) {
        if (System.nanoTime() < spinUntil) Thread.onSpinWait();
        else Thread.yield();
      }
    }
  }

  /**
   * A daemon thread with a one-job slot. The poster writes the volatile {@code job}; the helper
   * works on each new job it sees. Parking is the usual Dekker pair: the helper sets {@code parked}
   * and re-reads {@code job}; the poster writes {@code job} and reads {@code parked}, so one of
   * them sees the other. A helper that wakes after its job's chunks were all claimed finds nothing
   * to do; the caller never waits for it.
   */
  private static final class Helper extends Thread {
    private volatile Job job;
    private volatile boolean parked;

    Helper(String name) {
      super(name);
      setDaemon(true);
    }

    void post(Job j) {
      job = j;
      if (parked) LockSupport.unpark(this);
    }

    @Override
    public void run() {
      Job seen = null;
      while (true) {
        long spinUntil = System.nanoTime() + SPIN_NS;
        while (job == seen) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          } else {
            parked = true;
            if (job == seen) LockSupport.park(this);
            parked = false;
            spinUntil = System.nanoTime() + SPIN_NS;
          }
        }
        seen = job;
        seen.work();
      }
    }
  }
}
