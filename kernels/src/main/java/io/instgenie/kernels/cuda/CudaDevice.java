package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * Device 0's primary context, current on one thread only ({@code instgenie-cuda-0}): every driver
 * call of this package runs there, through {@link #call}. A caller already on that thread (a
 * forward run through {@code Backend.run}) pays nothing; any other thread hands its work over and
 * waits.
 */
public final class CudaDevice implements AutoCloseable {
  private final ExecutorService owner;
  private final Thread ownerThread;
  private final CudaProbe probe;
  private final String target;
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final List<CUmodule> modules = new ArrayList<>();
  private final CUdevice device = new CUdevice();
  private boolean closed;

  private CudaDevice(CudaProbe probe) {
    this.probe = probe;
    this.target = Ptx.targetFor(probe.ccMajor(), probe.ccMinor());
    Thread[] t = new Thread[1];
    this.owner =
        Executors.newSingleThreadExecutor(
            r -> {
              t[0] = new Thread(r, "instgenie-cuda-0");
              t[0].setDaemon(true);
              return t[0];
            });
    call(this::init);
    this.ownerThread = t[0];
  }

  /** Opens device 0; fails with the probe's reason when there is none. */
  public static CudaDevice open() {
    CudaProbe p = CudaProbe.get();
    if (!p.available()) throw new IllegalStateException("no CUDA device: " + p.reason());
    return new CudaDevice(p);
  }

  private Void init() {
    JCudaDriver.setExceptionsEnabled(true);
    cuInit(0);
    cuDeviceGet(device, 0);
    CUcontext ctx = new CUcontext();
    cuDevicePrimaryCtxRetain(ctx, device);
    cuCtxSetCurrent(ctx);
    for (String m : Ptx.MODULES) {
      CUmodule module = new CUmodule();
      cuModuleLoadData(module, Ptx.load(m, target));
      modules.add(module);
      for (String name : CudaKernels.functionsOf(m)) {
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, name);
        functions.put(name, f);
      }
    }
    return null;
  }

  public CudaProbe probe() {
    return probe;
  }

  /** The PTX target loaded (sm_90 or compute_75). */
  public String target() {
    return target;
  }

  /** True when the loaded PTX has the tensor-core GEMMs (sm_80 and newer). */
  public boolean tensorCores() {
    return probe.ccMajor() >= 8 && "sm_90".equals(target);
  }

  CUfunction function(String name) {
    CUfunction f = functions.get(name);
    if (f == null) throw new IllegalArgumentException("no kernel " + name + " in the loaded PTX");
    return f;
  }

  public boolean onOwnerThread() {
    return Thread.currentThread() == ownerThread;
  }

  /** Runs {@code work} on the context's thread and returns its result; its exceptions propagate. */
  public <T> T call(Callable<T> work) {
    if (Thread.currentThread() == ownerThread) return callHere(work);
    Future<T> f = owner.submit(work);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new IllegalStateException("interrupted while waiting for the CUDA thread", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) throw r;
      if (c instanceof Error err) throw err;
      throw new IllegalStateException(c);
    }
  }

  public void run(Runnable work) {
    call(
        () -> {
          work.run();
          return null;
        });
  }

  private static <T> T callHere(Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Unloads the modules, releases this holder's reference to the primary context (the driver frees
   * the context with everything in it when the last holder in the process releases it) and stops
   * the thread. A second call does nothing.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    run(
        () -> {
          cuCtxSynchronize();
          for (CUmodule m : modules) cuModuleUnload(m);
          modules.clear();
          functions.clear();
          cuDevicePrimaryCtxRelease(device);
        });
    owner.shutdown();
  }
}
