package io.instgenie.verticles.batching;

import io.instgenie.cache.LinearFit;
import io.instgenie.cache.TemplateCache;
import io.instgenie.cache.TemplateRegistry;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.model.ModelConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The step loop's view of the tiered {@link TemplateCache} (memory, disk, later remote). */
public final class CachedTemplateStore implements TemplateStore {
  private final TemplateCache cache;
  private final ModelConfig config;

  public CachedTemplateStore(TemplateCache cache, ModelConfig config) {
    this.cache = cache;
    this.config = config;
  }

  /** Memory: in place; disk only: through the pipelined loader, never promoted on this thread. */
  @Override
  public Optional<Activations> lookup(String templateId, int steps) {
    return cache.open(templateId, steps);
  }

  @Override
  public Activations newRun(String templateId, int steps) {
    return cache.newRun(templateId, steps, config);
  }

  @Override
  public void commit(String templateId, int steps, Activations activations) {
    cache.commit(templateId, activations);
  }

  @Override
  public void whenStored(String templateId, int steps, Runnable then) {
    cache.whenWritten(templateId, steps, then);
  }

  /**
   * A disk copy is promoted in the background, for later edits (an edit admitted meanwhile need not
   * wait: it reads the disk file through the pipelined loader); for a template held only by peers,
   * the peers are asked which can stream it, and the edit waits for the answer ({@link #loading}).
   */
  @Override
  public void prefetch(String templateId, int steps) {
    cache.prefetch(templateId, steps);
  }

  /** While a peer is being asked about its copy, the edit waits in the queue (see prefetch). */
  @Override
  public boolean loading(String templateId, int steps) {
    return cache.remotePreparing(templateId, steps);
  }

  @Override
  public Map<TierKind, LinearFit> calibrateLoad(int reps) {
    return cache.calibrateLoad(config, reps);
  }

  @Override
  public void close() {
    cache.close();
  }

  /** A template id held for several step counts reports its fastest tier. */
  @Override
  public Map<String, TierKind> held() {
    Map<String, TierKind> out = new HashMap<>();
    for (TemplateRegistry.Entry e : cache.registry().entries())
      out.merge(e.key().id(), e.fastest(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
    return out;
  }

  @Override
  public int segmentBytes() {
    return cache.segmentBytes(config, config.defaultSteps());
  }
}
