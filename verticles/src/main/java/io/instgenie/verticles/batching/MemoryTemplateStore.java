package io.instgenie.verticles.batching;

import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Template activations in memory, F32, least recently used evicted beyond a byte cap. Step-loop thread only. */
public final class MemoryTemplateStore implements TemplateStore {
  private final ModelConfig config;
  private final long capBytes;
  private final LinkedHashMap<String, MemoryActivations> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long evictions;

  public MemoryTemplateStore(ModelConfig config, long capBytes) {
    this.config = config;
    this.capBytes = capBytes;
  }

  private static String key(String templateId, int steps) {
    return templateId + "/" + steps;
  }

  @Override
  public Optional<Activations> lookup(String templateId, int steps) {
    return Optional.ofNullable(entries.get(key(templateId, steps)));
  }

  @Override
  public Activations newRun(String templateId, int steps) {
    return new MemoryActivations(config, steps);
  }

  @Override
  public void commit(String templateId, int steps, Activations activations) {
    MemoryActivations m = (MemoryActivations) activations;
    if (m.bytes() > capBytes) return;
    MemoryActivations old = entries.put(key(templateId, steps), m);
    if (old != null) bytes -= old.bytes();
    bytes += m.bytes();
    for (var it = entries.entrySet().iterator(); bytes > capBytes && it.hasNext(); ) {
      Map.Entry<String, MemoryActivations> e = it.next();
      bytes -= e.getValue().bytes();
      it.remove();
      evictions++;
    }
  }

  @Override
  public List<String> held() {
    List<String> out = new ArrayList<>();
    for (String k : entries.keySet()) out.add(k.substring(0, k.indexOf('/')));
    return out;
  }

  public long bytes() {
    return bytes;
  }

  public long evictions() {
    return evictions;
  }
}
