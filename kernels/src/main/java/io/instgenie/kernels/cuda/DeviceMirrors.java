package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
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
 *
 * <p>Freeing is deterministic: the owner of a buffer it drops calls {@link #release} (the device
 * memory goes at once), and {@link #close} frees every mirror. Keys are held weakly only as a
 * safety net for owners that never release: such a mirror is freed at the next access after the GC
 * collected its buffer. Touch on the device's thread only.
 */
public final class DeviceMirrors implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** Device memory and copies; the driver's in production, a fake in tests. */
  interface Memory {
    CUdeviceptr alloc(long bytes);

    void free(CUdeviceptr d);

    void toDevice(CUdeviceptr d, Pointer host, long bytes);

    void toHost(Pointer host, CUdeviceptr d, long bytes);
  }

  /**
   * A mirror and its cleaner registration, whose action (run once: by release, close or after the
   * GC) queues the mirror for freeing on the device's thread.
   */
  private record Mirror(CUdeviceptr ptr, long bytes, Cleaner.Cleanable cleanable) {}

  private final Memory memory;
  private final Map<FloatBuf, Mirror> mirrors = new WeakHashMap<>();
  private final Queue<Mirror> released = new ConcurrentLinkedQueue<>();
  private long allocated;
  private long live;

  /** Mirrors in this device's memory (call on the device's thread). */
  public DeviceMirrors() {
    this(DRIVER);
  }

  DeviceMirrors(Memory memory) {
    this.memory = memory;
  }

  /** A device pointer to element {@code off} of {@code b}'s mirror (null when b is null). */
  public CUdeviceptr at(FloatBuf b, long off) {
    if (b == null) return null;
    return mirror(b).withByteOffset(off * Float.BYTES);
  }

  /** Host wrote b[off, off+n): copy that range to the device. */
  public void upload(FloatBuf b, long off, long n) {
    Mirror m = mirrors.get(b);
    if (m == null) {
      mirror(b); // first sight uploads everything
      return;
    }
    check(b, off, n);
    if (n > 0) {
      memory.toDevice(m.ptr.withByteOffset(off * Float.BYTES), host(b, off), n * Float.BYTES);
    }
  }

  /** Host is about to read b[off, off+n): copy that range back (a no-op for unseen buffers). */
  public void download(FloatBuf b, long off, long n) {
    Mirror m = mirrors.get(b);
    if (m == null) return;
    check(b, off, n);
    if (n > 0)
      memory.toHost(host(b, off), m.ptr.withByteOffset(off * Float.BYTES), n * Float.BYTES);
  }

  /**
   * The owner drops {@code b}: its device memory is freed now. Work already queued that reads it
   * must be complete (the driver's cuMemFree waits for the device). Seen again later, b is uploaded
   * afresh from the host.
   */
  public void release(FloatBuf b) {
    Mirror m = mirrors.remove(b);
    if (m == null) return;
    m.cleanable.clean();
    freeReleased();
  }

  /** Frees every mirror now. */
  @Override
  public void close() {
    for (Mirror m : new ArrayList<>(mirrors.values())) m.cleanable.clean();
    mirrors.clear();
    freeReleased();
  }

  /** Device bytes allocated for mirrors so far (freed ones included). */
  public long bytes() {
    return allocated;
  }

  /** Device bytes of the mirrors held now (released and closed ones excluded). */
  public long liveBytes() {
    return live;
  }

  private CUdeviceptr mirror(FloatBuf b) {
    freeReleased();
    Mirror m = mirrors.get(b);
    if (m != null) return m.ptr;
    long size = Math.max(1, b.size()) * Float.BYTES;
    CUdeviceptr fresh = memory.alloc(size);
    if (b.size() > 0) memory.toDevice(fresh, host(b, 0), size);
    Queue<Mirror> q = released;
    Mirror[] self = new Mirror[1];
    self[0] = new Mirror(fresh, size, CLEANER.register(b, () -> q.add(self[0])));
    mirrors.put(b, self[0]);
    allocated += size;
    live += size;
    return fresh;
  }

  private void freeReleased() {
    for (Mirror m; (m = released.poll()) != null; ) {
      memory.free(m.ptr);
      live -= m.bytes;
    }
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

  private static final Memory DRIVER =
      new Memory() {
        @Override
        public CUdeviceptr alloc(long bytes) {
          CUdeviceptr d = new CUdeviceptr();
          cuMemAlloc(d, bytes);
          return d;
        }

        @Override
        public void free(CUdeviceptr d) {
          cuMemFree(d);
        }

        @Override
        public void toDevice(CUdeviceptr d, Pointer host, long bytes) {
          cuMemcpyHtoD(d, host, bytes);
        }

        @Override
        public void toHost(Pointer host, CUdeviceptr d, long bytes) {
          cuMemcpyDtoH(host, d, bytes);
        }
      };
}
