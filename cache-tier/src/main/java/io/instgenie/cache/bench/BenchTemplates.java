package io.instgenie.cache.bench;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.DiskTemplate;
import io.instgenie.cache.DiskTier;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.TemplateKey;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.tensor.FloatBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark's templates: {@code n} stored activations of one shape filled with uniform values
 * (timings do not depend on them), each also written to a disk tier in {@code dir} and opened for
 * segment reads. Closing removes the files (and the folder, when this created it).
 */
final class BenchTemplates implements AutoCloseable {
  private final List<StoredActivations> memory = new ArrayList<>();
  private final List<DiskTemplate> disk = new ArrayList<>();
  private final List<TemplateKey> keys = new ArrayList<>();
  private final DiskTier tier;
  private final Path dir;
  private final boolean ownDir;

  BenchTemplates(ActivationShape shape, int n, Path dirOrNull, long seed) {
    try {
      this.ownDir = dirOrNull == null;
      this.dir = ownDir ? Files.createTempDirectory("instgenie-bench-cache") : dirOrNull;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary cache folder", e);
    }
    this.tier = new DiskTier(dir, Long.MAX_VALUE / 4, null);
    for (int i = 0; i < n; i++) {
      StoredActivations acts = synthetic(shape, seed + i);
      TemplateKey key = new TemplateKey("bench-cache-" + i, shape.steps());
      if (!tier.put(key, acts))
        throw new IllegalStateException("cannot write cache files in " + dir + " (see the log)");
      memory.add(acts);
      keys.add(key);
      disk.add(
          tier.open(key)
              .orElseThrow(
                  () -> new IllegalStateException("cache file " + key.fileName() + " vanished")));
    }
  }

  Path folder() {
    return dir;
  }

  StoredActivations inMemory(int i) {
    return memory.get(i);
  }

  /**
   * Template i's segments as the tier holds them: memory (the stored activations), its open file,
   * or, for the remote tier, memory read at {@code remoteMbps} (a stand-in: see {@link
   * ThrottledSource}).
   */
  SegmentSource source(TierKind tierKind, int i, double remoteMbps) {
    return switch (tierKind) {
      case MEMORY -> memory.get(i);
      case DISK -> disk.get(i);
      case REMOTE -> new ThrottledSource(memory.get(i), remoteMbps);
    };
  }

  /** Bytes of one template's file on disk. */
  long fileBytes() {
    try {
      return Files.size(dir.resolve(keys.get(0).fileName()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (DiskTemplate t : disk) t.close();
    for (TemplateKey k : keys) tier.remove(k);
    if (ownDir) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // a leftover empty temp folder is harmless
      }
    }
  }

  /** Every segment written through the sink, as a template run would, with values in [-2, 2). */
  private static StoredActivations synthetic(ActivationShape shape, long seed) {
    StoredActivations acts = StoredActivations.allocate(shape);
    SplittableRandom r = new SplittableRandom(seed);
    FloatBuf y = FloatBuf.allocate(shape.segmentValues());
    for (int k = 0; k < shape.steps(); k++) {
      for (int b = 0; b < shape.depth(); b++) {
        for (int i = 0; i < shape.segmentValues(); i++) y.set(i, (float) (4 * r.nextDouble() - 2));
        acts.sink(k).accept(b, y, 0);
      }
    }
    return acts;
  }
}
