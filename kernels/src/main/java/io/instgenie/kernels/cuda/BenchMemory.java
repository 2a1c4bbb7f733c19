package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Device buffers and event timing for the GPU benchmarks: every allocation is kept and freed by
 * {@link #close}, so a benchmark leaves the device as it found it. Device thread only.
 */
final class BenchMemory implements AutoCloseable {
  private final List<CUdeviceptr> owned = new ArrayList<>();
  private final Random rnd = new Random(1);

  CUdeviceptr alloc(long floats) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, floats) * Float.BYTES);
    owned.add(d);
    return d;
  }

  /** N(0, 0.05²) floats (values do not change the time). */
  CUdeviceptr random(long floats) {
    float[] v = new float[Math.toIntExact(floats)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.05);
    CUdeviceptr d = alloc(floats);
    cuMemcpyHtoD(d, Pointer.to(v), floats * Float.BYTES);
    return d;
  }

  CUdeviceptr ints(int[] v) {
    CUdeviceptr d = alloc(v.length);
    if (v.length > 0) cuMemcpyHtoD(d, Pointer.to(v), (long) v.length * Integer.BYTES);
    return d;
  }

  /** Median of 9 timed runs (events on the default stream) after 2 warm-ups, in ms. */
  static double medianMs(Runnable work) {
    CUevent a = new CUevent();
    CUevent b = new CUevent();
    cuEventCreate(a, CUevent_flags.CU_EVENT_DEFAULT);
    cuEventCreate(b, CUevent_flags.CU_EVENT_DEFAULT);
    try {
      work.run();
      work.run();
      cuCtxSynchronize();
      double[] t = new double[9];
      float[] ms = {0};
      for (int i = 0; i < t.length; i++) {
        cuEventRecord(a, null);
        work.run();
        cuEventRecord(b, null);
        cuEventSynchronize(b);
        cuEventElapsedTime(ms, a, b);
        t[i] = ms[0];
      }
      Arrays.sort(t);
      return t[t.length / 2];
    } finally {
      cuEventDestroy(a);
      cuEventDestroy(b);
    }
  }

  @Override
  public void close() {
    cuCtxSynchronize();
    for (CUdeviceptr d : owned) cuMemFree(d);
    owned.clear();
  }
}
