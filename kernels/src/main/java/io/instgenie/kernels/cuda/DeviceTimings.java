package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;

import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * Device-side timings for Algorithm 1's calibration on the GPU, measured with CUDA events: work on
 * the compute (legacy default) stream, and pinned host → device copies on a copy stream as the
 * pipeline makes them.
 */
public final class DeviceTimings {
  private DeviceTimings() {}

  /** Milliseconds the device spent between the start and the end of {@code work}'s launches. */
  public static double eventMs(CudaDevice dev, Runnable work) {
    return dev.call(
        () -> {
          CUevent start = event();
          CUevent stop = event();
          cuEventRecord(start, null);
          work.run();
          cuEventRecord(stop, null);
          cuEventSynchronize(stop);
          float[] ms = {0};
          cuEventElapsedTime(ms, start, stop);
          cuEventDestroy(start);
          cuEventDestroy(stop);
          return (double) ms[0];
        });
  }

  /**
   * The median over {@code reps} (after one warm-up) of one pinned → device copy of each size in
   * {@code bytes}, in milliseconds.
   */
  public static double[] pinnedCopyMs(CudaDevice dev, long[] bytes, int reps) {
    return dev.call(
        () -> {
          long max = Arrays.stream(bytes).max().orElse(0);
          Pointer host = new Pointer();
          CUdeviceptr d = new CUdeviceptr();
          CUstream copy = new CUstream();
          cuMemHostAlloc(host, Math.max(1, max), 0);
          cuMemAlloc(d, Math.max(1, max));
          cuStreamCreate(copy, CUstream_flags.CU_STREAM_NON_BLOCKING);
          CUevent start = event();
          CUevent stop = event();
          double[] out = new double[bytes.length];
          try {
            for (int i = 0; i < bytes.length; i++) {
              double[] t = new double[Math.max(1, reps) + 1];
              for (int r = 0; r < t.length; r++) {
                cuEventRecord(start, copy);
                cuMemcpyHtoDAsync(d, host, bytes[i], copy);
                cuEventRecord(stop, copy);
                cuEventSynchronize(stop);
                float[] ms = {0};
                cuEventElapsedTime(ms, start, stop);
                t[r] = ms[0];
              }
              double[] timed = Arrays.copyOfRange(t, 1, t.length); // the first run warms up
              Arrays.sort(timed);
              out[i] = timed[timed.length / 2];
            }
          } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
            cuStreamDestroy(copy);
            cuMemFree(d);
            cuMemFreeHost(host);
          }
          return out;
        });
  }

  private static CUevent event() {
    CUevent e = new CUevent();
    cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
    return e;
  }
}
