package io.instgenie.verticles.batching;

import io.instgenie.cache.TemplateCache;
import io.instgenie.cache.TemplateRegistry;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.model.ModelConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The step loop's view of the tiered {@link TemplateCache} (memory, disk, later remote). */
public final class CachedTemplateStore implements TemplateStore {
  private final TemplateCache cache;
  private final ModelConfig config;

  /** Prefetches in flight, by template id and steps; touched by the step-loop thread only. */
  private final Map<String, CompletableFuture<Boolean>> prefetches = new HashMap<>();

  public CachedTemplateStore(TemplateCache cache, ModelConfig config) {
    this.cache = cache;
    this.config = config;
  }

  @Override
  public Optional<Activations> lookup(String templateId, int steps) {
    return cache.lookup(templateId, steps);
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
  public void prefetch(String templateId, int steps) {
    CompletableFuture<Boolean> f = cache.prefetch(templateId, steps);
    if (!f.isDone()) prefetches.put(templateId + "/" + steps, f);
  }

  @Override
  public boolean loading(String templateId, int steps) {
    String key = templateId + "/" + steps;
    CompletableFuture<Boolean> f = prefetches.get(key);
    if (f == null) return false;
    if (!f.isDone()) return true;
    prefetches.remove(key); // done (promoted, or refused: then lookup reads it directly)
    return false;
  }

  @Override
  public void close() {
    cache.close();
  }

  @Override
  public List<String> held() {
    List<String> out = new ArrayList<>();
    for (TemplateRegistry.Entry e : cache.registry().entries()) out.add(e.key().id());
    return out;
  }
}
