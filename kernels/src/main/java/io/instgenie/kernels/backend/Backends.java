package io.instgenie.kernels.backend;

import io.instgenie.kernels.cuda.CudaProbe;
import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.System.Logger.Level;

/** Picks the fastest backend that works on this machine, falling back visibly. */
public final class Backends {
  private static final System.Logger LOG = System.getLogger(Backends.class.getName());

  /** The names {@link #byName} knows. */
  public static final String KNOWN = "auto, cuda, cpu, reference";

  private Backends() {}

  /**
   * "cuda" when the one-time probe finds a device and the jar has PTX; else {@link #cpu()}, logging
   * why the GPU was not used.
   */
  public static Backend best() {
    CudaProbe probe = CudaProbe.get();
    if (probe.available()) {
      try {
        Backend cuda = CudaBackend.open();
        LOG.log(Level.INFO, "backend " + cuda.name() + " on " + probe);
        return cuda;
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "CUDA device found but unusable (" + t + "); using the CPU");
        return cpu();
      }
    }
    LOG.log(Level.INFO, probe + "; using the CPU");
    return cpu();
  }

  /**
   * "cpu" (OpenBLAS + Vector API) when its natives load and the JVM has {@code --add-modules
   * jdk.incubator.vector}; else the reference backend, with a warning.
   */
  public static Backend cpu() {
    try {
      Backend cpu = new CpuBackend();
      cpu.geluTanh(FloatBuf.allocate(32), 0, 32);
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

  /** "cuda" requested explicitly fails with the probe's reason when there is no usable device. */
  public static Backend byName(String name) {
    return switch (name) {
      case "auto" -> best();
      case "cuda" -> cuda();
      case "cpu" -> new CpuBackend();
      case "reference" -> new ReferenceBackend();
      default ->
          throw new IllegalArgumentException(
              "unknown backend '" + name + "' (known: " + KNOWN + ")");
    };
  }

  private static Backend cuda() {
    CudaProbe probe = CudaProbe.get();
    if (!probe.available()) {
      throw new IllegalStateException(
          "backend 'cuda' requested but unavailable: "
              + probe.reason()
              + " (use --backend cpu or auto)");
    }
    return CudaBackend.open();
  }
}
