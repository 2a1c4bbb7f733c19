package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Whether a CUDA device answers, asked once per JVM. Without a driver the first touch of JCuda
 * throws {@link UnsatisfiedLinkError} (and later touches {@link NoClassDefFoundError}), so the
 * probe catches {@link Throwable} and keeps the reason. {@code -Dinstgenie.cuda=off} disables it.
 */
public record CudaProbe(
    boolean available, String reason, String device, int ccMajor, int ccMinor, int driver) {

  /** The system property that turns the GPU path off ("off"). */
  public static final String PROPERTY = "instgenie.cuda";

  private static final class Holder {
    static final CudaProbe RESULT = run(System.getProperty(PROPERTY, "auto"), Ptx.present());
  }

  /** The probe's result (computed on first call, then cached). */
  public static CudaProbe get() {
    return Holder.RESULT;
  }

  static CudaProbe unavailable(String reason) {
    return new CudaProbe(false, reason, null, 0, 0, 0);
  }

  /** The probe itself; {@code ptxPresent} is passed in so tests can see each branch. */
  static CudaProbe run(String setting, boolean ptxPresent) {
    if ("off".equals(setting)) return unavailable("disabled by -D" + PROPERTY + "=off");
    CudaProbe found;
    try {
      found = ask();
    } catch (Throwable t) {
      return unavailable("CUDA driver unavailable (" + firstLine(t) + ")");
    }
    if (!found.available) return found;
    if (!ptxPresent) {
      return unavailable(
          "no PTX in this build (built without nvcc) for " + found.device + "; rebuild with nvcc");
    }
    return found;
  }

  /** JCuda's load errors carry every attempt's stack trace in the message: keep its first line. */
  private static String firstLine(Throwable t) {
    String m = String.valueOf(t);
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).trim();
  }

  private static CudaProbe ask() {
    JCudaDriver.setExceptionsEnabled(true);
    cuInit(0);
    int[] count = {0};
    cuDeviceGetCount(count);
    if (count[0] == 0) return unavailable("no CUDA device (the driver reports 0 devices)");
    CUdevice dev = new CUdevice();
    cuDeviceGet(dev, 0);
    byte[] name = new byte[256];
    cuDeviceGetName(name, name.length, dev);
    int[] major = {0};
    int[] minor = {0};
    int[] version = {0};
    cuDeviceGetAttribute(
        major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
    cuDeviceGetAttribute(
        minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    cuDriverGetVersion(version);
    String n = new String(name, StandardCharsets.US_ASCII).trim();
    int nul = n.indexOf('\0');
    if (nul >= 0) n = n.substring(0, nul);
    if (major[0] < 7 || (major[0] == 7 && minor[0] < 5)) {
      return unavailable(
          n + " has compute capability " + major[0] + "." + minor[0] + ", below 7.5");
    }
    return new CudaProbe(true, "ok", n, major[0], minor[0], version[0]);
  }

  /**
   * Prints the probe (device, compute capability, driver, PTX target) and exits 0, or prints why
   * there is no usable device and exits 3: the first step of device/check.sh's GPU calls.
   */
  public static void main(String[] args) {
    CudaProbe p = get();
    if (!p.available()) {
      System.out.println(p);
      System.exit(3);
    }
    System.out.println(p + ", PTX target " + Ptx.targetFor(p.ccMajor(), p.ccMinor()));
  }

  @Override
  public String toString() {
    return available
        ? device + " (sm_" + ccMajor + ccMinor + ", driver " + driver + ")"
        : "no CUDA device: " + reason;
  }
}
