package io.instgenie.verticles.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.instgenie.cache.TemplateKey;
import io.instgenie.cache.TemplateRegistry;
import io.instgenie.cache.TierKind;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's template directory: template → {node (and worker) → tier, bytes, last use}, one
 * Hazelcast map entry per (template, node, worker), written by each node for its own caches as they
 * fill, promote and evict, and mirrored on every node by an entry listener so lookups are local.
 */
public final class TemplateDirectory {
  /** "id/steps|node|worker" → {template, steps, node, worker, tier, bytes, last_use}. */
  public static final String MAP = "instgenie.templates";

  /** Where one node's worker holds a template. */
  public record Holder(String node, int worker, TierKind tier, long bytes, long lastUse) {}

  private final ClusterState cluster;
  private final IMap<String, HazelcastJsonValue> map;
  private final Map<String, Map<String, Holder>> mirror = new ConcurrentHashMap<>();

  public TemplateDirectory(ClusterState cluster) {
    this.cluster = cluster;
    this.map = cluster.hazelcast().getMap(MAP);
    map.addEntryListener(new Mirror(), true);
    for (Map.Entry<String, HazelcastJsonValue> e : map.entrySet()) mirrored(e.getValue());
  }

  /** Publishes every change of {@code registry}, the cache of this node's worker {@code worker}. */
  public void attach(int worker, TemplateRegistry registry) {
    registry.observe((key, entry) -> changed(worker, key, entry));
    for (TemplateRegistry.Entry e : registry.entries()) changed(worker, e.key(), Optional.of(e));
  }

  /** Holders of the template on other nodes, fastest tier first, most recently used next. */
  public List<Holder> peers(TemplateKey key) {
    List<Holder> out = new ArrayList<>();
    for (Holder h : mirror.getOrDefault(key.toString(), Map.of()).values())
      if (!h.node().equals(cluster.nodeId()) && cluster.alive(h.node())) out.add(h);
    out.sort(
        Comparator.comparing(Holder::tier)
            .thenComparing(Comparator.comparingLong(Holder::lastUse).reversed()));
    return out;
  }

  /** Every holder of the template, on every node (tests and the status endpoint). */
  public List<Holder> holders(TemplateKey key) {
    return List.copyOf(mirror.getOrDefault(key.toString(), Map.of()).values());
  }

  /** True when any node holds the template id (whatever its step count). */
  public boolean heldAnywhere(String templateId) {
    for (Map.Entry<String, Map<String, Holder>> e : mirror.entrySet())
      if (e.getKey().startsWith(templateId + "/") && !e.getValue().isEmpty()) return true;
    return false;
  }

  /**
   * Drops a departed node's entries: from the local mirror at once, from the map by the oldest
   * member (a blocking query: call it off event loops).
   */
  public void dropNode(String node) {
    for (Map<String, Holder> m : mirror.values()) m.values().removeIf(h -> h.node().equals(node));
    if (cluster.oldest()) map.removeAll(Predicates.equal("node", node));
  }

  private void changed(int worker, TemplateKey key, Optional<TemplateRegistry.Entry> entry) {
    String k = key + "|" + cluster.nodeId() + "|" + worker;
    if (entry.isEmpty()) {
      map.removeAsync(k);
      return;
    }
    TemplateRegistry.Entry e = entry.get();
    JsonObject v =
        new JsonObject()
            .put("template", key.toString())
            .put("node", cluster.nodeId())
            .put("worker", worker)
            .put("tier", e.fastest().name())
            .put("bytes", e.bytes())
            .put("last_use", e.lastUseMillis());
    map.setAsync(k, new HazelcastJsonValue(v.encode()));
  }

  private void mirrored(HazelcastJsonValue value) {
    JsonObject v = new JsonObject(value.getValue());
    Holder h =
        new Holder(
            v.getString("node"),
            v.getInteger("worker"),
            TierKind.valueOf(v.getString("tier")),
            v.getLong("bytes"),
            v.getLong("last_use"));
    mirror
        .computeIfAbsent(v.getString("template"), t -> new ConcurrentHashMap<>())
        .put(h.node() + "|" + h.worker(), h);
  }

  private void unmirrored(String key) {
    String[] parts = key.split("\\|");
    if (parts.length != 3) return;
    Map<String, Holder> m = mirror.get(parts[0]);
    if (m != null) m.remove(parts[1] + "|" + parts[2]);
  }

  /** Keeps the local mirror in step with the map (Hazelcast event threads). */
  private final class Mirror
      implements EntryAddedListener<String, HazelcastJsonValue>,
          EntryUpdatedListener<String, HazelcastJsonValue>,
          EntryRemovedListener<String, HazelcastJsonValue>,
          EntryEvictedListener<String, HazelcastJsonValue>,
          EntryExpiredListener<String, HazelcastJsonValue> {
    @Override
    public void entryAdded(EntryEvent<String, HazelcastJsonValue> e) {
      mirrored(e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, HazelcastJsonValue> e) {
      mirrored(e.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, HazelcastJsonValue> e) {
      unmirrored(e.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, HazelcastJsonValue> e) {
      unmirrored(e.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, HazelcastJsonValue> e) {
      unmirrored(e.getKey());
    }
  }
}
