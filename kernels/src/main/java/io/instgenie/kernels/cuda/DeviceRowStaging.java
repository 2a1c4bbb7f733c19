package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CachedRowStaging;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The GPU path of a masked forward's cached rows (DESIGN.md, Algorithm 1): each template step's
 * blocks go from its source into pinned host memory and over PCIe on the copy stream into double
 * device slots ({@link PinnedBlockCache}), and the rows are gathered on the device into the
 * forward's activations; a step held in the {@link DeviceTier} is gathered from device memory with
 * no copy, and a keyed step not held yet is copied into the tier as its blocks arrive. Compute runs
 * on the legacy default stream; touch on the device's thread only.
 */
public final class DeviceRowStaging implements CachedRowStaging, AutoCloseable {
  private static final CUstream COMPUTE = null;

  private final CudaKernels k;
  private final DeviceMirrors mem;
  private final DeviceTier<CUdeviceptr> tier;
  private final List<PinnedBlockCache> idle = new ArrayList<>();
  private final Map<BlockSource, Staged> staged = new IdentityHashMap<>();
  private final Map<int[], CUdeviceptr> index = new IdentityHashMap<>();
  private CUdeviceptr indexBuf = new CUdeviceptr();
  private long indexCapacity;
  private int hidden;
  private long blockFloats;
  private long copiedBlocks;
  private long deviceBlocks;

  /** One source's state within a forward. */
  private static final class Staged {
    final BlockMode[] copyPlan;
    final PinnedBlockCache pinned;
    final DeviceTier.Entry<CUdeviceptr> resident;

    Staged(BlockMode[] copyPlan, PinnedBlockCache pinned, DeviceTier.Entry<CUdeviceptr> resident) {
      this.copyPlan = copyPlan;
      this.pinned = pinned;
      this.resident = resident;
    }
  }

  public DeviceRowStaging(CudaKernels k, DeviceMirrors mem, long tierBytes) {
    this.k = k;
    this.mem = mem;
    this.tier = new DeviceTier<>(tierBytes, new DeviceAllocator());
  }

  public DeviceTier<CUdeviceptr> tier() {
    return tier;
  }

  /** Blocks copied over PCIe and blocks gathered straight from the device tier, so far. */
  public long copiedBlocks() {
    return copiedBlocks;
  }

  public long deviceBlocks() {
    return deviceBlocks;
  }

  @Override
  public void begin(
      List<BlockSource> sources, List<int[]> tokens, BlockMode[] plan, int imageTokens, int hid) {
    this.hidden = hid;
    this.blockFloats = (long) imageTokens * hid;
    uploadIndices(tokens);
    Set<Object> keep = new HashSet<>();
    Map<Object, Staged> byKey = new HashMap<>();
    for (BlockSource src : sources) {
      if (staged.containsKey(src)) continue;
      Object key = src.deviceKey();
      if (key != null && byKey.containsKey(key)) {
        staged.put(src, byKey.get(key)); // the same rows: load them once
        continue;
      }
      DeviceTier.Entry<CUdeviceptr> resident =
          key == null
              ? null
              : tier.acquireFor(key, plan.length * blockFloats * Float.BYTES, plan, keep);
      if (resident != null) keep.add(key);
      BlockMode[] copyPlan = plan.clone();
      boolean copies = false;
      for (int b = 0; b < plan.length; b++) {
        if (resident != null && resident.present[b]) copyPlan[b] = BlockMode.RECOMPUTE;
        copies |= copyPlan[b] == BlockMode.CACHE;
      }
      PinnedBlockCache pinned = copies ? pinned(plan.length, imageTokens, hid) : null;
      if (pinned != null) {
        FloatBuf host = pinned.hostBuf();
        int[] all = allTokens(imageTokens);
        pinned.startStep(copyPlan, b -> src.gather(b, all, host, b * pinned.blockFloats()));
      }
      Staged st = new Staged(copyPlan, pinned, resident);
      staged.put(src, st);
      if (key != null) byKey.put(key, st);
    }
  }

  @Override
  public void gather(BlockSource src, int block, int[] tokens, FloatBuf dst, long dstOff) {
    Staged s = staged.get(src);
    CUdeviceptr idx = index.get(tokens);
    if (s == null || idx == null)
      throw new IllegalStateException("gather of a source or token list not given to begin");
    CUdeviceptr out = mem.at(dst, dstOff);
    if (s.copyPlan[block] == BlockMode.CACHE) {
      s.pinned.gather(COMPUTE, block, out, idx, tokens.length);
    } else {
      CUdeviceptr y = s.resident.memory.withByteOffset(block * blockFloats * Float.BYTES);
      k.gatherRows(COMPUTE, out, y, idx, tokens.length, hidden);
    }
  }

  @Override
  public void blockDone(int block) {
    for (Staged s : distinct()) {
      if (s.copyPlan[block] != BlockMode.CACHE) {
        deviceBlocks++;
        continue;
      }
      copiedBlocks++;
      if (s.resident != null) {
        // keep the block for later forwards: slot → tier on the compute stream, before release
        long bytes = blockFloats * Float.BYTES;
        CUdeviceptr at = s.resident.memory.withByteOffset(block * bytes);
        cuMemcpyDtoDAsync(at, s.pinned.loadedSlot(COMPUTE, block), bytes, COMPUTE);
        s.resident.present[block] = true;
      }
      s.pinned.release(COMPUTE, block);
    }
  }

  @Override
  public void end() {
    for (Staged s : distinct()) {
      if (s.pinned == null) continue;
      s.pinned.finish();
      idle.add(s.pinned);
    }
    staged.clear();
    index.clear();
  }

  /** Frees the pinned caches, the device tier and the index buffer (between forwards). */
  @Override
  public void close() {
    cuCtxSynchronize();
    for (PinnedBlockCache p : idle) p.close();
    idle.clear();
    tier.clear();
    if (indexCapacity > 0) cuMemFree(indexBuf);
    indexCapacity = 0;
  }

  /** Each source's state once, though several sources may share one. */
  private Set<Staged> distinct() {
    Set<Staged> out = new LinkedHashSet<>(); // Staged has identity equality
    out.addAll(staged.values());
    return out;
  }

  /** An idle pinned cache of this shape, or a new one (pinned memory is costly to allocate). */
  private PinnedBlockCache pinned(int depth, int tokens, int hid) {
    for (int i = 0; i < idle.size(); i++)
      if (idle.get(i).fits(depth, tokens, hid)) return idle.remove(i);
    if (!idle.isEmpty()) {
      cuCtxSynchronize(); // a gather of the last forward may still read a slot
      for (PinnedBlockCache p : idle) p.close(); // another model's shape: never used again
      idle.clear();
    }
    return new PinnedBlockCache(k, depth, tokens, hid);
  }

  /** Every sequence's token list in one device int array, one copy per forward. */
  private void uploadIndices(List<int[]> tokens) {
    int total = 0;
    for (int[] t : tokens) total += t.length;
    if (total > indexCapacity) {
      if (indexCapacity > 0) cuMemFree(indexBuf);
      indexBuf = new CUdeviceptr();
      cuMemAlloc(indexBuf, (long) total * Integer.BYTES);
      indexCapacity = total;
    }
    int[] packed = new int[total];
    int at = 0;
    for (int[] t : tokens) {
      if (index.containsKey(t)) continue;
      index.put(t, indexBuf.withByteOffset((long) at * Integer.BYTES));
      System.arraycopy(t, 0, packed, at, t.length);
      at += t.length;
    }
    if (at > 0) cuMemcpyHtoD(indexBuf, Pointer.to(packed), (long) at * Integer.BYTES);
  }

  private static int[] allTokens(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    return all;
  }

  /** cuMemAlloc, null when the device is full; frees only after the device is idle. */
  private static final class DeviceAllocator implements DeviceTier.Allocator<CUdeviceptr> {
    @Override
    public CUdeviceptr allocate(long bytes) {
      CUdeviceptr d = new CUdeviceptr();
      try {
        cuMemAlloc(d, bytes);
        return d;
      } catch (CudaException e) {
        return null;
      }
    }

    @Override
    public void free(CUdeviceptr memory) {
      cuCtxSynchronize(); // an earlier forward may still read it
      cuMemFree(memory);
    }
  }
}
