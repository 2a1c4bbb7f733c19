package io.instgenie.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The PTX the build compiled from kernels/src/main/cuda/*.cu: one module per source file and
 * target, at {@code io/instgenie/kernels/cuda/ptx/NAME.TARGET.ptx}. A build without nvcc has none.
 */
public final class Ptx {
  /** Resource folder of the modules. */
  public static final String DIR = "io/instgenie/kernels/cuda/ptx/";

  /** One module per .cu file. */
  public static final List<String> MODULES = List.of("gemm", "attention", "elementwise");

  /** sm_90 for Hopper and newer (JIT-compiled forward); compute_75 for Turing to Ada. */
  public static final List<String> TARGETS = List.of("sm_90", "compute_75");

  /**
   * The PTX ISA version each target declares: the oldest that knows the target (7.8 for sm_90, 6.3
   * for sm_75), so any driver that can run such a GPU loads it (R520+ and R410+). nvcc 13 writes
   * 9.0, which drivers before R580 reject; the build rewrites it and ptxas checks the kernels use
   * nothing newer (the pom's ptx.isa.* properties).
   */
  public static final Map<String, String> ISA = Map.of("sm_90", "7.8", "compute_75", "6.3");

  private Ptx() {}

  public static String resource(String module, String target) {
    return DIR + module + "." + target + ".ptx";
  }

  /** True when every module exists for every target. */
  public static boolean present() {
    ClassLoader cl = Ptx.class.getClassLoader();
    for (String m : MODULES) {
      for (String t : TARGETS) {
        if (cl.getResource(resource(m, t)) == null) return false;
      }
    }
    return true;
  }

  /** The target to load on a device of compute capability {@code major}.{@code minor}. */
  public static String targetFor(int major, int minor) {
    if (major >= 9) return "sm_90";
    if (major > 7 || (major == 7 && minor >= 5)) return "compute_75";
    throw new IllegalStateException(
        "compute capability " + major + "." + minor + " is below 7.5, the oldest PTX target built");
  }

  /** The text of one module; fails naming the resource when the build had no nvcc. */
  public static String load(String module, String target) {
    String name = resource(module, target);
    try (InputStream in = Ptx.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "no PTX in this build (" + name + " missing: the jar was built without nvcc)");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }
}
