package io.instgenie.kernels.backend;

import java.lang.System.Logger.Level;

/** Picks the fastest backend that works on this machine, falling back visibly. */
public final class Backends {
  private static final System.Logger LOG = System.getLogger(Backends.class.getName());

  private Backends() {}

  /**
   * "cpu" (OpenBLAS + Vector API) when its natives load and the JVM has {@code --add-modules
   * jdk.incubator.vector}; else the reference backend, with a warning.
   */
  public static Backend best() {
    try {
      Backend cpu = new CpuBackend();
      cpu.geluTanh(io.instgenie.kernels.tensor.FloatBuf.allocate(32), 0, 32);
      return cpu;
    } catch (Throwable t) {
      LOG.log(
          Level.WARNING,
          "CPU backend unavailable ("
              + t
              + "); using the slow reference backend."
              + " Run java with --add-modules jdk.incubator.vector on Linux x86-64.");
      return new ReferenceBackend();
    }
  }

  public static Backend byName(String name) {
    return switch (name) {
      case "auto" -> best();
      case "cpu" -> new CpuBackend();
      case "reference" -> new ReferenceBackend();
      default ->
          throw new IllegalArgumentException(
              "unknown backend '" + name + "' (known: auto, cpu, reference)");
    };
  }
}
