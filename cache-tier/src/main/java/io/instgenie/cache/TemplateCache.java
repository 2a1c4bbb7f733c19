package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The activation cache the service uses: memory first, then disk (promoted to memory), then the
 * remote slot. Template runs are recorded into {@link #newRun} and stored with {@link #commit}
 * (memory at once, disk on a background writer). Every method is thread-safe and none throws for a
 * disk problem: a corrupt file is a miss (redo the template run), an unusable folder turns the
 * cache into memory only with one warning. Blocking (disk reads): call it off event loops.
 */
public final class TemplateCache implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TemplateCache.class.getName());

  private final CacheConfig config;
  private final TemplateRegistry registry = new TemplateRegistry();
  private final MemoryTier memory;
  private final DiskTier disk;
  private final RemoteTier remote;
  private final ExecutorService writer = daemonThread("instgenie-cache-writer");
  private final ExecutorService prefetcher = daemonThread("instgenie-cache-prefetch");
  // committed runs whose disk write is queued: still served, so nothing is lost in between
  private final ConcurrentHashMap<TemplateKey, StoredActivations> pendingWrites =
      new ConcurrentHashMap<>();

  /** The same writes' ends, completed (whatever their outcome) once each write is over. */
  private final ConcurrentHashMap<TemplateKey, CompletableFuture<Void>> writes =
      new ConcurrentHashMap<>();

  private final ConcurrentHashMap<TemplateKey, CompletableFuture<Optional<StoredActivations>>>
      promoting = new ConcurrentHashMap<>();
  private final AtomicBoolean warnedUncached = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  public TemplateCache(CacheConfig config) {
    this(config, RemoteTier.ABSENT);
  }

  public TemplateCache(CacheConfig config, RemoteTier remote) {
    this.config = config;
    this.remote = remote;
    this.memory = new MemoryTier(config.memoryBytes(), registry);
    this.disk =
        config.diskDir() == null
            ? null
            : new DiskTier(config.diskDir(), config.diskBytes(), registry);
  }

  public CacheConfig config() {
    return config;
  }

  public TemplateRegistry registry() {
    return registry;
  }

  /** Why the disk tier switched itself off, or null (none configured, or it works). */
  public String diskProblem() {
    return disk == null ? null : disk.problem();
  }

  /** False when there is no disk tier, or it switched itself off: memory only. */
  public boolean diskAvailable() {
    return disk != null && disk.available();
  }

  /**
   * The template's activations from the fastest tier holding it; a disk hit is promoted to memory.
   */
  public Optional<Activations> lookup(String templateId, int steps) {
    return find(new TemplateKey(templateId, steps)).map(a -> a);
  }

  /** The fastest tier holding the template on this node (for routing), if any. */
  public Optional<TierKind> where(String templateId, int steps) {
    TemplateKey key = new TemplateKey(templateId, steps);
    if (pendingWrites.containsKey(key)) return Optional.of(TierKind.MEMORY);
    return registry.tierOf(key);
  }

  /**
   * Empty activations in the configured precision, of the kind the cache mode picks, for a template
   * run; hand them to {@link #commit}.
   */
  public StoredActivations newRun(String templateId, int steps, ModelConfig c) {
    new TemplateKey(templateId, steps); // fail on a bad id before the run, not at commit
    CacheKind kind = config.mode().kindFor(c, steps, config.precision(), config.memoryBytes());
    return StoredActivations.allocate(ActivationShape.of(c, steps, config.precision(), kind));
  }

  /**
   * Bytes of one (step, block) segment of a template run of {@code steps} steps: what one block's
   * load reads (Algorithm 2 prices it per tier), twice as much for K/V as for Y.
   */
  public int segmentBytes(ModelConfig c, int steps) {
    CacheKind kind = config.mode().kindFor(c, steps, config.precision(), config.memoryBytes());
    return ActivationShape.of(c, steps, config.precision(), kind).segmentBytes();
  }

  /**
   * Stores a finished template run: in memory now, on disk by a background writer (served from
   * memory meanwhile). A run no tier can take is counted and logged, never dropped silently.
   *
   * @param run what {@link #newRun} returned, every segment written
   */
  public void commit(String templateId, Activations run) {
    if (!(run instanceof StoredActivations acts)) {
      throw new IllegalArgumentException(
          "commit takes the activations newRun returned (or StoredActivations.copyOf)");
    }
    if (!acts.complete())
      throw new IllegalStateException(
          templateId + ": the template run has not written every block");
    TemplateKey key = new TemplateKey(templateId, acts.steps());
    boolean inMemory = memory.put(key, acts);
    if (!diskAvailable() || closed.get()) {
      if (!inMemory) uncached(key, acts.bytes());
      return;
    }
    pendingWrites.put(key, acts);
    CompletableFuture<Void> written = new CompletableFuture<>();
    writes.put(key, written);
    try {
      writer.execute(
          () -> {
            try {
              if (!disk.put(key, acts) && !inMemory && !memory.contains(key))
                uncached(key, acts.bytes());
            } finally {
              pendingWrites.remove(key, acts);
              writes.remove(key, written);
              written.complete(null);
            }
          });
    } catch (RejectedExecutionException e) {
      pendingWrites.remove(key, acts); // closing: the write is skipped on purpose
      writes.remove(key, written);
      written.complete(null);
      if (!inMemory) uncached(key, acts.bytes());
    }
  }

  /**
   * Runs {@code then} once the template's last {@link #commit} has reached the disk tier (or failed
   * to, or was skipped): at once when no write of it is pending, else on the writer's thread.
   */
  public void whenWritten(String templateId, int steps, Runnable then) {
    CompletableFuture<Void> w = writes.get(new TemplateKey(templateId, steps));
    if (w == null) then.run();
    else w.whenComplete((v, e) -> then.run());
  }

  /**
   * The template for an edit, never promoted on the caller's thread: from memory, its activations
   * (read in place); from disk only, a {@link PipelinedActivations} over its file, which the caller
   * plans per step ({@link PipelinedActivations#setPlan}) and closes when the edit ends; else empty
   * (a corrupt file header is discarded and counted, as by {@link #lookup}).
   */
  public Optional<Activations> open(String templateId, int steps) {
    return segments(new TemplateKey(templateId, steps))
        .map(
            src ->
                src instanceof StoredActivations inMemory
                    ? inMemory
                    : new PipelinedActivations(src, null, registry::bubble));
  }

  /**
   * Promotes a disk-only template to memory on a background thread (a queued edit's template, while
   * it waits); for a template held by no tier here, asks the remote tier to prepare a stream
   * ({@link RemoteTier#prepare}). The future says whether the template is in memory afterwards; a
   * template larger than the memory tier is left on disk without being read.
   */
  public CompletableFuture<Boolean> prefetch(String templateId, int steps) {
    TemplateKey key = new TemplateKey(templateId, steps);
    if (memory.contains(key) || pendingWrites.containsKey(key))
      return CompletableFuture.completedFuture(true);
    if (closed.get()) return CompletableFuture.completedFuture(false);
    if (disk == null || !disk.contains(key)) {
      if (remote != RemoteTier.ABSENT) remote.prepare(key);
      return CompletableFuture.completedFuture(false);
    }
    return CompletableFuture.supplyAsync(
        () -> fitsInMemory(key) && promote(key, true).isPresent() && memory.contains(key),
        prefetcher);
  }

  /**
   * True while the remote tier is still preparing to stream the template ({@link
   * RemoteTier#prepare}, started by {@link #prefetch}): an edit of it waits in its queue.
   */
  public boolean remotePreparing(String templateId, int steps) {
    return remote != RemoteTier.ABSENT && remote.preparing(new TemplateKey(templateId, steps));
  }

  /**
   * Load time against bytes per tier this cache reads from (memory; disk when it is on), timed by
   * {@link Calibration#load} over scratch activations of the model's shape and the configured
   * precision. The disk file is just written, so its reads come from the page cache: the disk fit
   * is a warm-cache figure, and colder reads show up as bubbles.
   */
  public Map<TierKind, LinearFit> calibrateLoad(ModelConfig c, int reps) {
    // enough segments for Calibration.load's four group sizes, and no more
    int steps = (4 + c.depth() - 1) / c.depth();
    StoredActivations scratch =
        StoredActivations.allocate(ActivationShape.of(c, steps, config.precision()));
    // the values do not change the time
    FloatBuf zeros = FloatBuf.allocate(scratch.shape().segmentValues());
    for (int k = 0; k < steps; k++)
      for (int b = 0; b < c.depth(); b++) scratch.sink(k).accept(b, zeros, 0);
    Map<TierKind, LinearFit> fits = new EnumMap<>(TierKind.class);
    fits.put(TierKind.MEMORY, Calibration.load(scratch, reps));
    if (diskAvailable()) {
      Optional<SegmentSource> file = disk.scratch(scratch);
      if (file.isPresent()) {
        try (SegmentSource src = file.get()) {
          fits.put(TierKind.DISK, Calibration.load(src, reps));
        }
      }
    }
    return fits;
  }

  /**
   * The template read block by block through the pipelined loader, from memory or straight from its
   * disk file (no promotion); its bubbles go to the stats as they happen.
   */
  public Optional<PipelinedActivations> pipelined(String templateId, int steps, BlockMode[] plan) {
    return segments(new TemplateKey(templateId, steps))
        .map(src -> new PipelinedActivations(src, plan, registry::bubble));
  }

  /** Drops the template from every tier of this node. */
  public void remove(String templateId, int steps) {
    TemplateKey key = new TemplateKey(templateId, steps);
    memory.remove(key);
    if (disk != null) disk.remove(key);
  }

  public CacheStats stats() {
    List<Tier> tiers = new ArrayList<>(List.of(memory));
    if (disk != null) tiers.add(disk);
    return registry.snapshot(tiers, diskAvailable());
  }

  /** Waits until every commit so far is on disk (or known not to be). */
  public void flush() {
    try {
      writer.submit(() -> {}).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cache writer failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RejectedExecutionException e) {
      // closed: close() already drained the writer
    }
  }

  /** Finishes queued disk writes, then stops the background threads. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    writer.shutdown();
    prefetcher.shutdown();
    try {
      writer.awaitTermination(1, TimeUnit.MINUTES);
      prefetcher.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (disk != null) disk.close(); // the folder's lock; the writes above are done
  }

  private Optional<StoredActivations> find(TemplateKey key) {
    Optional<StoredActivations> m = memory.get(key);
    if (m.isEmpty()) m = Optional.ofNullable(pendingWrites.get(key));
    if (m.isPresent()) {
      registry.hit(TierKind.MEMORY);
      registry.used(key);
      return m;
    }
    registry.miss(TierKind.MEMORY);
    return promote(key, false);
  }

  private Optional<SegmentSource> segments(TemplateKey key) {
    Optional<StoredActivations> m = memory.get(key);
    if (m.isEmpty()) m = Optional.ofNullable(pendingWrites.get(key));
    if (m.isPresent()) {
      registry.hit(TierKind.MEMORY);
      registry.used(key);
      return Optional.of(m.get());
    }
    registry.miss(TierKind.MEMORY);
    if (diskAvailable()) {
      try {
        Optional<DiskTemplate> d = disk.open(key);
        if (d.isPresent()) {
          registry.hit(TierKind.DISK);
          registry.used(key);
          return d.map(t -> t);
        }
        registry.miss(TierKind.DISK);
      } catch (CorruptSegmentException e) {
        corrupt(e);
      }
    }
    if (remote == RemoteTier.ABSENT || closed.get()) return Optional.empty();
    Optional<SegmentSource> r = remote.open(key).map(src -> new CopyingSource(src, memory, key));
    if (r.isPresent()) registry.hit(TierKind.REMOTE);
    else registry.miss(TierKind.REMOTE);
    return r;
  }

  /**
   * The segments of this node's copy (memory, a pending write, or disk) for a peer to read; no
   * counters move. Close it after use.
   */
  public Optional<SegmentSource> peerSource(String templateId, int steps) {
    TemplateKey key = new TemplateKey(templateId, steps);
    Optional<StoredActivations> m = memory.get(key);
    if (m.isEmpty()) m = Optional.ofNullable(pendingWrites.get(key));
    if (m.isPresent()) return Optional.of(m.get());
    if (!diskAvailable()) return Optional.empty();
    try {
      return disk.open(key).map(t -> t);
    } catch (CorruptSegmentException e) {
      return Optional.empty();
    }
  }

  /**
   * False when the template could never be held in memory: promoting it would read it for nothing.
   */
  private boolean fitsInMemory(TemplateKey key) {
    try (DiskTemplate t = disk.open(key).orElse(null)) {
      return t != null && t.shape().totalBytes() <= config.memoryBytes();
    } catch (CorruptSegmentException e) {
      corrupt(e);
      return false;
    }
  }

  /** One disk (or remote) read per template at a time: a lookup joins a prefetch in flight. */
  private Optional<StoredActivations> promote(TemplateKey key, boolean byPrefetch) {
    CompletableFuture<Optional<StoredActivations>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<StoredActivations>> running = promoting.putIfAbsent(key, mine);
    if (running != null) return running.join();
    try {
      Optional<StoredActivations> r = memory.get(key);
      if (r.isEmpty()) r = loadBelowMemory(key, byPrefetch);
      mine.complete(r);
      return r;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      promoting.remove(key, mine);
    }
  }

  private Optional<StoredActivations> loadBelowMemory(TemplateKey key, boolean byPrefetch) {
    if (diskAvailable()) {
      try {
        Optional<StoredActivations> d = disk.get(key);
        if (d.isPresent()) {
          registry.hit(TierKind.DISK);
          if (byPrefetch) registry.prefetched();
          registry.used(key);
          memory.put(key, d.get());
          return d;
        }
        registry.miss(TierKind.DISK);
      } catch (CorruptSegmentException e) {
        corrupt(e);
      }
    }
    if (remote == RemoteTier.ABSENT) return Optional.empty();
    Optional<StoredActivations> r = remote.fetch(key);
    if (r.isPresent()) {
      registry.hit(TierKind.REMOTE);
      memory.put(key, r.get());
    } else {
      registry.miss(TierKind.REMOTE);
    }
    return r;
  }

  private void corrupt(CorruptSegmentException e) {
    registry.miss(TierKind.DISK);
    // the disk tier has counted it, logged the WARNING and deleted the file; this names the segment
    LOG.log(
        System.Logger.Level.INFO,
        "cache miss on corrupt data, the template run will be redone: " + e.getMessage());
  }

  private void uncached(TemplateKey key, long bytes) {
    registry.uncached();
    if (warnedUncached.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "template "
              + key
              + " ("
              + bytes
              + " bytes) fits in no cache tier (memory cap "
              + config.memoryBytes()
              + " bytes, disk "
              + (diskAvailable() ? "cap " + config.diskBytes() : "off")
              + "); such templates are recomputed on every use (counted as 'uncached')");
    }
  }

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
