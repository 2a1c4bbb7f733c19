package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.ref.Cleaner;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A device copy of every host buffer an operation has touched. Invariants: a buffer seen for the
 * first time is uploaded whole (the host is authoritative until then); afterwards the device copy
 * is authoritative, except for ranges announced by {@link #upload} (host wrote them) and the host
 * copy is current only for ranges fetched by {@link #download}. Weights are thus uploaded once.
 * Keys are held weakly (FloatBuf has identity equality); a collected buffer's device memory is
 * freed on the device's thread at the next access. Touch on the device's thread only.
 */
public final class DeviceMirrors {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Map<FloatBuf, CUdeviceptr> mirrors = new WeakHashMap<>();
  private final Queue<CUdeviceptr> released = new ConcurrentLinkedQueue<>();
  private long bytes;

  /** A device pointer to element {@code off} of {@code b}'s mirror (null when b is null). */
  public CUdeviceptr at(FloatBuf b, long off) {
    if (b == null) return null;
    return mirror(b).withByteOffset(off * Float.BYTES);
  }

  /** Host wrote b[off, off+n): copy that range to the device. */
  public void upload(FloatBuf b, long off, long n) {
    CUdeviceptr d = mirrors.get(b);
    if (d == null) {
      mirror(b); // first sight uploads everything
      return;
    }
    check(b, off, n);
    if (n > 0) cuMemcpyHtoD(d.withByteOffset(off * Float.BYTES), host(b, off), n * Float.BYTES);
  }

  /** Host is about to read b[off, off+n): copy that range back (a no-op for unseen buffers). */
  public void download(FloatBuf b, long off, long n) {
    CUdeviceptr d = mirrors.get(b);
    if (d == null) return;
    check(b, off, n);
    if (n > 0) cuMemcpyDtoH(host(b, off), d.withByteOffset(off * Float.BYTES), n * Float.BYTES);
  }

  /** Device bytes allocated for mirrors so far (freed ones included). */
  public long bytes() {
    return bytes;
  }

  private CUdeviceptr mirror(FloatBuf b) {
    freeReleased();
    CUdeviceptr d = mirrors.get(b);
    if (d != null) return d;
    long size = Math.max(1, b.size()) * Float.BYTES;
    CUdeviceptr fresh = new CUdeviceptr();
    cuMemAlloc(fresh, size);
    if (b.size() > 0) cuMemcpyHtoD(fresh, host(b, 0), size);
    mirrors.put(b, fresh);
    bytes += size;
    Queue<CUdeviceptr> q = released;
    CLEANER.register(b, () -> q.add(fresh));
    return fresh;
  }

  private void freeReleased() {
    for (CUdeviceptr d; (d = released.poll()) != null; ) cuMemFree(d);
  }

  private static Pointer host(FloatBuf b, long off) {
    return Pointer.to(b.floats()).withByteOffset(off * Float.BYTES);
  }

  private static void check(FloatBuf b, long off, long n) {
    if (off < 0 || n < 0 || off + n > b.size()) {
      throw new IndexOutOfBoundsException(
          "range [" + off + ", " + (off + n) + ") of a buffer of " + b.size() + " floats");
    }
  }
}
