package io.instgenie.verticles.faults;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test seam: named points on a job's path that throw on demand. Production code passes through
 * {@link #check} at each point; {@link #NONE} never throws. Tests {@link #arm} a point for a number
 * of passes. Thread-safe (the step loop, worker verticles and event loops all check).
 */
public final class Faults {
  /** Where a fault can be injected, in the order a job meets them. */
  public enum Point {
    /** The balancer choosing a worker for a task. */
    ROUTE,
    /** A denoise worker's warm-up and calibration, before its step loop runs. */
    WORKER_START,
    /** A queued member leaving the queue for a batch slot. */
    MEMBER_START,
    /** The set-up of a template run (its activations' allocation). */
    TEMPLATE_RUN_SETUP,
    /** One step of the running batch. */
    STEP,
    /** A finished edit's pixels being assembled by the step loop. */
    FINISH,
    /** Post-processing of a finished edit, before its image is encoded. */
    POST_PROCESS,
    /** The PNG encoding of a finished edit. */
    ENCODE
  }

  /** Never throws; cannot be armed. */
  public static final Faults NONE = new Faults(false);

  private final boolean armable;
  private final Map<Point, Armed> armed = new ConcurrentHashMap<>();

  private record Armed(AtomicInteger left, Function<Point, Throwable> fault) {}

  private Faults(boolean armable) {
    this.armable = armable;
  }

  /** A seam that tests can arm. */
  public static Faults armable() {
    return new Faults(true);
  }

  /** The next {@code times} passes through {@code p} throw an {@link InjectedFault}. */
  public Faults arm(Point p, int times) {
    return arm(p, times, InjectedFault::new);
  }

  /** The next {@code times} passes through {@code p} throw what {@code fault} makes. */
  public Faults arm(Point p, int times, Function<Point, Throwable> fault) {
    if (!armable) throw new IllegalStateException("Faults.NONE cannot be armed");
    armed.put(p, new Armed(new AtomicInteger(times), fault));
    return this;
  }

  /** Passes {@code p}: throws when armed there (an unchecked exception or an error). */
  public void check(Point p) {
    if (!armable) return;
    Armed a = armed.get(p);
    if (a == null || a.left().getAndDecrement() <= 0) return;
    Throwable t = a.fault().apply(p);
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
    throw new InjectedFault(p);
  }

  /** An error (as an {@link OutOfMemoryError} would be) that an armed point can throw. */
  public static final class InjectedError extends Error {
    public InjectedError(Point p) {
      super("injected fault at " + p.name().toLowerCase(Locale.ROOT));
    }
  }

  /** What an armed point throws by default. */
  public static final class InjectedFault extends RuntimeException {
    public InjectedFault(Point p) {
      super("injected fault at " + p.name().toLowerCase(Locale.ROOT));
    }
  }
}
