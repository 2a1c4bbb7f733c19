package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A stored template read through the bubble-free pipeline (DESIGN.md, Algorithm 1): when a step's
 * source is requested, a loader thread reads that step's CACHE blocks in order into two block
 * buffers, while the compute thread's {@code gather(b)} waits only until block b is in. Blocks the
 * plan marks RECOMPUTE are never loaded. Once a step's last block is read, the loader reads the
 * next step's first CACHE block into a third buffer (the lookahead), which the next step then takes
 * instead of reading it: an edit's steps come in order, and a step's first block is the one read
 * nothing else can hide. A source that holds its segments in memory already ({@link
 * SegmentSource#resident}) is gathered in place, with no loader and no copy: the service's read of
 * a memory-tier template. Gathers decode exactly as {@link StoredActivations} does, so the output
 * is identical. One compute thread per instance; close it when the edit ends.
 */
public final class PipelinedActivations implements Activations, AutoCloseable {
  private final SegmentSource src;
  private final ActivationShape shape;
  private final LongConsumer onBubble;
  private final ExecutorService loader;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ByteBuffer[] buffers = new ByteBuffer[2];
  private final int[] slotBlock = {-1, -1};
  private final boolean[] slotReady = new boolean[2];
  private final int[] slotGathers = new int[2];

  /** A stop shorter than this is the hand-over itself (signal, join), not a read waited for. */
  private static final long BUBBLE_FLOOR_NS = 50_000;

  // the lookahead: touched by the loader thread only (its tasks run one after another)
  private ByteBuffer ahead;
  private int aheadStep = -1;
  private int aheadBlock = -1;
  private RuntimeException aheadFailure; // its read's error: the step reports it, never rereads
  private volatile BlockMode[] plan;
  // guarded by lock
  private long gen;
  private int claimed;
  // source(k) calls for the step in progress: the sequences (guidance branches) that gather each
  // block
  private int consumers;
  private RuntimeException failure;
  private long bubbleNanos;
  private long loaded;
  private long skipped;
  private long syncReads;
  private long aheadUsed;
  private long inPlace;
  // touched by the compute thread only (source is synchronized)
  private int step = -1;
  private Future<?> task;
  private BlockSource current;

  /**
   * Reads from {@code src}, which it closes on {@link #close}; {@code plan} null means CACHE
   * everywhere.
   */
  public PipelinedActivations(SegmentSource src, BlockMode[] plan) {
    this(src, plan, n -> {});
  }

  /** As above; {@code onBubble} receives each wait in ns as it ends (the cache's metrics). */
  PipelinedActivations(SegmentSource src, BlockMode[] plan, LongConsumer onBubble) {
    this.src = src;
    this.shape = src.shape();
    this.onBubble = onBubble;
    for (int i = 0; i < 2; i++) buffers[i] = DirectIo.segmentBuffer(shape.segmentBytes());
    ahead = DirectIo.segmentBuffer(shape.segmentBytes());
    setPlan(plan);
    this.loader =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "instgenie-cache-loader");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The block modes for steps whose source is requested from now on: pass the same array to
   * DitForward.
   */
  public void setPlan(BlockMode[] modes) {
    BlockMode[] p = new BlockMode[shape.depth()];
    if (modes == null) {
      Arrays.fill(p, BlockMode.CACHE);
    } else if (modes.length != shape.depth()) {
      throw new IllegalArgumentException(
          "a plan needs " + shape.depth() + " block modes, got " + modes.length);
    } else {
      // a K/V cache is not read in the first cached block after a recomputed prefix
      for (int b = 0; b < p.length; b++) {
        p[b] = shape.kind().reads(modes, b) ? BlockMode.CACHE : BlockMode.RECOMPUTE;
      }
    }
    this.plan = p;
  }

  public ActivationShape shape() {
    return shape;
  }

  /** The tier the segments come from. */
  public TierKind tier() {
    return src.tier();
  }

  @Override
  public int steps() {
    return shape.steps();
  }

  @Override
  public CacheKind kind() {
    return shape.kind();
  }

  @Override
  public BlockSink sink(int step) {
    throw new UnsupportedOperationException(
        "pipelined activations are read-only; record a template run into StoredActivations");
  }

  /**
   * Starts loading step {@code k} (stopping the previous step's loads) unless it is the step in
   * progress.
   */
  @Override
  public synchronized BlockSource source(int k) {
    shape.index(k, 0);
    if (k == step && current != null) {
      locked(() -> ++consumers);
      return current;
    }
    // the previous step's loader may still be reading (the lookahead, or a block nobody asked
    // for): compute waits for that read like for any other, so it counts as bubble time
    // (with no loader, as for a memory-resident source, there is nothing to wait for: a thread
    // preempted here is not a bubble of the pipeline)
    boolean loading = task != null;
    long stopFrom = System.nanoTime();
    stopLoader();
    long stopped = System.nanoTime() - stopFrom;
    if (loading && stopped >= BUBBLE_FLOOR_NS) {
      locked(() -> bubbleNanos += stopped);
      onBubble.accept(stopped);
    }
    BlockMode[] p = plan;
    boolean resident = src.resident(k, 0) != null;
    long g;
    lock.lock();
    try {
      g = gen;
      claimed = -1;
      consumers = 1;
      failure = null;
      // counted here, not by the loader, which a fast compute thread may stop before it passes them
      for (BlockMode m : p) {
        if (m != BlockMode.CACHE) skipped++;
        else if (resident) inPlace++;
      }
      Arrays.fill(slotBlock, -1);
      Arrays.fill(slotReady, false);
    } finally {
      lock.unlock();
    }
    step = k;
    if (!resident) task = loader.submit(() -> load(k, g, p));
    current =
        new BlockSource() {
          @Override
          public void gather(int block, int[] tokens, FloatBuf dst, long dstOff) {
            gather(block, tokens, dst, dstOff, shape.rowWidth(), shape.rowWidth());
          }

          @Override
          public void gather(
              int block, int[] tokens, FloatBuf dst, long dstOff, int ld, int width) {
            PipelinedActivations.this.gather(k, g, p, block, tokens, dst, dstOff, ld);
          }

          @Override
          public CacheKind kind() {
            return shape.kind();
          }
        };
    return current;
  }

  /** Nanoseconds the compute thread waited for a block to arrive. */
  public long bubbleNanos() {
    return locked(() -> bubbleNanos);
  }

  /** Blocks read by the loader. */
  public long blocksLoaded() {
    return locked(() -> loaded);
  }

  /** Blocks the plan said to recompute, so never read. */
  public long blocksSkipped() {
    return locked(() -> skipped);
  }

  /** Blocks a step took from the lookahead read during the step before (counted in loaded). */
  public long blocksReadAhead() {
    return locked(() -> aheadUsed);
  }

  /** Blocks a step's plan caches that a memory-resident source served in place (never read). */
  public long blocksInPlace() {
    return locked(() -> inPlace);
  }

  /** Gathers served by a direct read (a block outside the plan or asked for out of order). */
  public long syncReads() {
    return locked(() -> syncReads);
  }

  /**
   * The read error of the step in progress (the gathers rethrow it): a corrupt or unreadable
   * segment, whose template the source has already discarded.
   */
  public Optional<RuntimeException> loadFailure() {
    lock.lock();
    try {
      return Optional.ofNullable(failure);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets the step in progress and any block read ahead, so that asking for a step again reloads
   * it from its first block (a step that is being redone after its forward was cut short).
   */
  public synchronized void rewind() {
    stopLoader();
    aheadStep = -1; // the loader is stopped: its next task sees these writes
    aheadFailure = null;
  }

  @Override
  public synchronized void close() {
    stopLoader();
    loader.shutdownNow();
    src.close();
  }

  /** Tells the running loader to stop and waits for it, so it no longer writes the buffers. */
  private void stopLoader() {
    lock.lock();
    try {
      gen++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (task == null) return;
    // joined even when interrupted: after this the loader never touches the buffers or the
    // lookahead, which rewind() and the next step's task rely on
    boolean interrupted = false;
    while (true) {
      try {
        task.get();
        break;
      } catch (ExecutionException e) {
        break; // its failure was recorded for the gathers of that step
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    task = null;
    current = null;
  }

  /**
   * The loader: CACHE blocks in order, alternating buffers; waits while both hold blocks not yet
   * gathered. The first block comes from the lookahead when the step before read it; the last read
   * is followed by the lookahead of step k + 1.
   */
  private void load(int k, long g, BlockMode[] p) {
    int n = 0;
    int first = -1;
    for (int b = 0; b < shape.depth(); b++) {
      if (p[b] != BlockMode.CACHE) continue;
      if (first < 0) first = b;
      int slot = n++ % 2;
      boolean readAhead = aheadStep == k && aheadBlock == b;
      lock.lock();
      try {
        while (slotBlock[slot] != -1 && gen == g) changed.awaitUninterruptibly();
        if (gen != g) return;
        slotBlock[slot] = b;
        slotReady[slot] = false;
        slotGathers[slot] = 0;
        claimed = b;
        if (readAhead && aheadFailure != null) {
          // a corrupt or unreadable segment is reported once, as the step's own read would
          failure = aheadFailure;
          aheadFailure = null;
          aheadStep = -1;
          changed.signalAll();
          return;
        }
        if (readAhead) {
          // the free slot's buffer becomes the next lookahead's
          ByteBuffer t = buffers[slot];
          buffers[slot] = ahead;
          ahead = t;
          aheadStep = -1;
          slotReady[slot] = true;
          loaded++;
          aheadUsed++;
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
      if (readAhead) continue;
      RuntimeException err = null;
      try {
        src.read(k, b, buffers[slot]);
      } catch (RuntimeException | Error e) {
        // an Error too: a loader that died silently would leave the step waiting for ever
        err = asFailure(e);
      }
      lock.lock();
      try {
        if (gen != g) return;
        if (err != null) {
          failure = err;
        } else {
          slotReady[slot] = true;
          loaded++;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (err != null) return;
    }
    if (first >= 0 && k + 1 < shape.steps()) readAhead(k + 1, first, g);
  }

  /**
   * Reads block b of step k into the lookahead unless the step in progress was stopped. A failed
   * read is kept for step k, which reports it at block b's gather without reading the segment again
   * (the source has already counted it, and discarded a corrupt file).
   */
  private void readAhead(int k, int b, long g) {
    if (locked(() -> gen) != g) return;
    aheadStep = -1;
    aheadFailure = null;
    try {
      src.read(k, b, ahead);
    } catch (RuntimeException | Error e) {
      aheadFailure = asFailure(e);
    }
    aheadStep = k;
    aheadBlock = b;
  }

  private void gather(
      int k, long g, BlockMode[] p, int b, int[] tokens, FloatBuf dst, long dstOff, int ld) {
    ByteBuffer in = src.resident(k, b);
    if (in != null) {
      shape.precision().gather(in, shape.rowWidth(), tokens, dst, dstOff, ld);
      return;
    }
    int slot = p[b] == BlockMode.CACHE ? awaitBlock(g, b) : -1;
    ByteBuffer seg = slot >= 0 ? buffers[slot] : readNow(k, b);
    // safe unlocked: only this (compute) thread frees a slot: after this read, or on a later block
    // or step
    shape.precision().gather(seg, shape.rowWidth(), tokens, dst, dstOff, ld);
    if (slot >= 0) gathered(g, slot, b);
  }

  /**
   * Frees block b's buffer once every consumer of the step has gathered it, so the loader refills
   * it while the compute thread is still on the next block (ahead of a RECOMPUTE block, the loader
   * would otherwise sit idle). A consumer that gathers less leaves the buffer to {@link
   * #awaitBlock}.
   */
  private void gathered(long g, int slot, int b) {
    lock.lock();
    try {
      if (gen != g || slotBlock[slot] != b || ++slotGathers[slot] < consumers) return;
      slotBlock[slot] = -1;
      slotReady[slot] = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Frees buffers of earlier blocks, then waits for block b; -1 when it must be read directly. */
  private int awaitBlock(long g, int b) {
    long waitedFrom = -1;
    long waited = 0;
    lock.lock();
    try {
      while (true) {
        if (gen != g) return -1;
        for (int s = 0; s < 2; s++) {
          if (slotBlock[s] != -1 && slotBlock[s] < b && slotReady[s]) {
            slotBlock[s] = -1;
            slotReady[s] = false;
            changed.signalAll();
          }
        }
        int s = slotBlock[0] == b ? 0 : slotBlock[1] == b ? 1 : -1;
        if (s >= 0 && slotReady[s]) {
          if (waitedFrom >= 0) waited = System.nanoTime() - waitedFrom;
          bubbleNanos += waited;
          return s;
        }
        if (failure != null) throw failure;
        if (s < 0 && claimed >= b) return -1; // already freed: asked for out of order
        if (waitedFrom < 0) waitedFrom = System.nanoTime();
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
      if (waited > 0) onBubble.accept(waited);
    }
  }

  private ByteBuffer readNow(int k, int b) {
    ByteBuffer buf = DirectIo.segmentBuffer(shape.segmentBytes());
    try {
      src.read(k, b, buf);
    } catch (RuntimeException e) {
      lock.lock();
      try {
        failure = e; // reported like a loader's error, for loadFailure()
      } finally {
        lock.unlock();
      }
      throw e;
    }
    locked(() -> syncReads++);
    return buf;
  }

  private long locked(LongSupplier f) {
    lock.lock();
    try {
      return f.getAsLong();
    } finally {
      lock.unlock();
    }
  }

  /** A read's failure as the gathers report it: an Error wrapped, with its cause. */
  private static RuntimeException asFailure(Throwable e) {
    return e instanceof RuntimeException r
        ? r
        : new IllegalStateException("reading a cached segment failed: " + e, e);
  }
}
