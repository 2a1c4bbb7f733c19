package io.instgenie.verticles.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The edits a worker expects to receive, learned from the ones it received: a projection that knew
 * only the present queue was optimistic by a fifth to a third of an edit's latency under load
 * (BENCHMARKS.md, "Which way the ETAs miss"), since later arrivals share an edit's steps (fcfs) or
 * take them (srpt). {@link #ahead} answers the arrivals {@link StepProjection} plays in: the k-th
 * at k × the mean gap between the recent arrivals, with their works in turn, each deadline as far
 * from its arrival as the original's. Plain Java; not thread-safe (the step loop's thread).
 */
public final class ExpectedArrivals {
  /** Arrivals remembered: the rate and the mix of works come from these. */
  static final int WINDOW = 32;

  /** Fewer remembered arrivals than this give no expectation. */
  static final int MIN_ARRIVALS = 4;

  /** Arrivals older than this are forgotten: a load that stopped expects nothing. */
  static final long HORIZON_MS = 30_000;

  /** Expected arrivals a projection plays in, at most: bounds its cost under overload. */
  public static final int MAX_AHEAD = 64;

  /** One arrival: when, and what it asked for then. */
  record Arrival(long atMs, StepWork work) {}

  /** Expected arrivals from now: the k-th (k ≥ 1) at {@code k × gapMs}, works in turn. */
  public record Ahead(double gapMs, List<StepWork> works, long nowMs) {
    /** Nothing expected. */
    public static final Ahead NONE = new Ahead(Double.POSITIVE_INFINITY, List.of(), 0);

    public Ahead {
      works = List.copyOf(works);
    }

    /** Whether any arrival is expected. */
    public boolean any() {
      return !works.isEmpty() && gapMs > 0 && Double.isFinite(gapMs);
    }

    /** When the k-th expected arrival comes, in ms from now (k ≥ 1). */
    public double atMs(int k) {
      return k * gapMs;
    }

    /**
     * The k-th expected arrival's work: the recent works in turn, its deadline moved to its
     * expected arrival.
     */
    public StepWork work(int k) {
      StepWork w = works.get((k - 1) % works.size());
      if (w.deadlineMs() == Long.MAX_VALUE) return w;
      return new StepWork(
          w.rows(),
          w.remainingSteps(),
          w.deadlineMs() + Math.round(atMs(k)),
          w.priority(),
          w.rowsSteps(),
          w.laterRows());
    }
  }

  private final Deque<Arrival> recent = new ArrayDeque<>();

  /** An edit arrived at {@code nowMs} (epoch ms) asking for {@code work}. */
  public void arrived(long nowMs, StepWork work) {
    recent.addLast(new Arrival(nowMs, work));
    while (recent.size() > WINDOW) recent.removeFirst();
  }

  /**
   * What to expect from {@code nowMs}: the mean gap between the remembered arrivals of the last
   * {@link #HORIZON_MS} (stretched to the silence since the last one when that is longer: a load
   * that slows expects less), and their works; {@link Ahead#NONE} with fewer than {@link
   * #MIN_ARRIVALS}.
   */
  public Ahead ahead(long nowMs) {
    while (!recent.isEmpty() && nowMs - recent.peekFirst().atMs() > HORIZON_MS)
      recent.removeFirst();
    if (recent.size() < MIN_ARRIVALS) return Ahead.NONE;
    long first = recent.peekFirst().atMs();
    long last = recent.peekLast().atMs();
    double gap = Math.max((last - first) / (double) (recent.size() - 1), nowMs - last);
    if (!(gap > 0)) return Ahead.NONE;
    List<StepWork> works = new ArrayList<>(recent.size());
    for (Arrival a : recent) { // each deadline as if it arrived now; work(k) moves it on
      StepWork w = a.work();
      long deadline =
          w.deadlineMs() == Long.MAX_VALUE ? Long.MAX_VALUE : w.deadlineMs() - a.atMs() + nowMs;
      works.add(
          new StepWork(
              w.rows(), w.remainingSteps(), deadline, w.priority(), w.rowsSteps(), w.laterRows()));
    }
    return new Ahead(gap, works, nowMs);
  }
}
