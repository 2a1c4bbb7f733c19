package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The host tier of one template step on the GPU path (DESIGN.md, Algorithm 1): Y_b for every block
 * b, all L tokens, in pinned host memory (cuMemHostAlloc), copied block by block on its own stream
 * into two device slots while the compute stream works on the previous block. Events order the two
 * streams: compute waits for {@code loaded[slot]} before gathering block b's cached rows, and the
 * copy of the block after next into that slot waits for {@code consumed[slot]}. Blocks the plan
 * marks RECOMPUTE are never copied. Touch on the device's thread only.
 */
public final class PinnedBlockCache implements AutoCloseable {
  private final CudaKernels k;
  private final int depth;
  private final long blockFloats;
  private final int hidden;
  private final Pointer host;
  private final FloatBuffer hostView;
  private final FloatBuf hostBuf;
  private IntConsumer fill = b -> {};
  private final CUstream copy = new CUstream();
  private final CUdeviceptr[] slot = {new CUdeviceptr(), new CUdeviceptr()};
  private final CUevent[] loaded = {new CUevent(), new CUevent()};
  private final CUevent[] consumed = {new CUevent(), new CUevent()};
  private final int[] slotBlock = {-1, -1};
  private BlockMode[] plan;
  private int nextToLoad;
  private boolean closed;

  /** Pinned host memory for {@code depth} blocks of {@code tokens} × {@code hidden} floats. */
  public PinnedBlockCache(CudaKernels k, int depth, int tokens, int hidden) {
    this.k = k;
    this.depth = depth;
    this.hidden = hidden;
    this.blockFloats = (long) tokens * hidden;
    long bytes = depth * blockFloats * Float.BYTES;
    this.host = new Pointer();
    cuMemHostAlloc(host, bytes, 0);
    ByteBuffer pinned = host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    this.hostView = pinned.asFloatBuffer();
    this.hostBuf = FloatBuf.wrap(pinned);
    cuStreamCreate(copy, CUstream_flags.CU_STREAM_NON_BLOCKING);
    for (int i = 0; i < 2; i++) {
      cuMemAlloc(slot[i], blockFloats * Float.BYTES);
      cuEventCreate(loaded[i], CUevent_flags.CU_EVENT_DISABLE_TIMING);
      cuEventCreate(consumed[i], CUevent_flags.CU_EVENT_DISABLE_TIMING);
    }
  }

  /** The pinned floats, block-major ([depth][tokens][hidden]); fill from a tier before a step. */
  public FloatBuffer host() {
    return hostView;
  }

  /** The same pinned floats as a FloatBuf, for a BlockSource to gather into. */
  public FloatBuf hostBuf() {
    return hostBuf;
  }

  /** Floats of one block (tokens × hidden): block b starts at b times this in {@link #host}. */
  public long blockFloats() {
    return blockFloats;
  }

  /** Fits a template step of this shape. */
  public boolean fits(int depth, int tokens, int hidden) {
    return this.depth == depth && this.hidden == hidden && blockFloats == (long) tokens * hidden;
  }

  /** Bytes one block copies over PCIe. */
  public long blockBytes() {
    return blockFloats * Float.BYTES;
  }

  /** Starts a step: queues the copies of the first two blocks the plan caches. */
  public void startStep(BlockMode[] plan) {
    start(plan, b -> {}, false);
  }

  /**
   * As above, {@code fill} writing block b's pinned floats just before its copy is queued (on this
   * thread; the copy engine works on earlier blocks meanwhile). Pinned block b is not read by any
   * copy in flight then: each block has its own region, and the previous step's copies are drained
   * here before the first fill.
   */
  public void startStep(BlockMode[] plan, IntConsumer fill) {
    start(plan, fill, true);
  }

  private void start(BlockMode[] plan, IntConsumer fill, boolean hostWrites) {
    // the host is about to rewrite pinned blocks: the last step's copies must have read them (a
    // no-op after finish(), which a forward's end calls)
    if (hostWrites) cuStreamSynchronize(copy);
    this.fill = fill;
    this.plan = plan.clone();
    for (int i = 0; i < 2; i++) {
      // the previous step's last gathers may still be reading the slot
      if (slotBlock[i] >= 0) cuStreamWaitEvent(copy, consumed[i], 0);
      slotBlock[i] = -1;
    }
    nextToLoad = 0;
    for (int i = 0; i < 2; i++) queueNext(i);
  }

  /**
   * On {@code compute}: waits until block b is in its slot, then dst[r] = Y_b[tokens[r]] for r <
   * rows ({@code tokens} is a device int array). Every sequence of the template may gather; then
   * {@link #release} the block.
   */
  public void gather(CUstream compute, int b, CUdeviceptr dst, CUdeviceptr tokens, int rows) {
    int s = slotOf(b);
    cuStreamWaitEvent(compute, loaded[s], 0);
    k.gatherRows(compute, dst, slot[s], tokens, rows, hidden);
  }

  /** After the last gather of block b: its slot takes the block after next once compute is done. */
  public void release(CUstream compute, int b) {
    int s = slotOf(b);
    cuEventRecord(consumed[s], compute);
    queueNext(s);
  }

  /** Synchronous copy of block b (no overlap), the baseline the pipeline is measured against. */
  public void loadNow(int b, CUdeviceptr dst) {
    cuMemcpyHtoD(dst, host.withByteOffset(b * blockFloats * Float.BYTES), blockBytes());
  }

  private int slotOf(int b) {
    for (int i = 0; i < 2; i++) if (slotBlock[i] == b) return i;
    throw new IllegalStateException(
        "block " + b + " was not queued (plan " + Arrays.toString(plan) + ")");
  }

  /** Queues the next CACHE block into slot s, after the compute stream released it. */
  private void queueNext(int s) {
    while (nextToLoad < depth && plan[nextToLoad] != BlockMode.CACHE) nextToLoad++;
    if (nextToLoad >= depth) return;
    int b = nextToLoad++;
    if (slotBlock[s] >= 0) cuStreamWaitEvent(copy, consumed[s], 0);
    fill.accept(b);
    cuMemcpyHtoDAsync(
        slot[s], host.withByteOffset(b * blockFloats * Float.BYTES), blockBytes(), copy);
    cuEventRecord(loaded[s], copy);
    slotBlock[s] = b;
  }

  /** Device pointer to the slot holding block b (queued by the plan); for a device-tier copy. */
  public CUdeviceptr loadedSlot(CUstream compute, int b) {
    int s = slotOf(b);
    cuStreamWaitEvent(compute, loaded[s], 0);
    return slot[s];
  }

  /** Waits for every queued copy (the end of a forward, before the host rewrites the pinned). */
  public void finish() {
    cuStreamSynchronize(copy);
  }

  /**
   * Frees everything this cache made: the slots, the pinned memory, the copy stream and its four
   * events. The copy stream is drained first; the caller has synchronised compute (a gather may
   * still read a slot otherwise). A second call does nothing.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    cuStreamSynchronize(copy);
    for (int i = 0; i < 2; i++) {
      cuEventDestroy(loaded[i]);
      cuEventDestroy(consumed[i]);
      cuMemFree(slot[i]);
    }
    cuStreamDestroy(copy);
    cuMemFreeHost(host);
  }
}
