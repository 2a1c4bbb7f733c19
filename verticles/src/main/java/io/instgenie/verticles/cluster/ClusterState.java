package io.instgenie.verticles.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.instgenie.verticles.codec.RecordCodec;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This node's handle on the cluster: its id, who else is alive, and the job table (id → {@link
 * JobRecord} as JSON) and finished images in Hazelcast maps. Async Hazelcast calls are bridged onto
 * the caller's context; the one without an async form (a query) runs through {@code
 * executeBlocking}. A member that leaves is announced node-locally on {@link Addresses#NODE_LEFT}.
 */
public final class ClusterState {
  /** id → JobRecord JSON. */
  public static final String JOBS = "instgenie.jobs";

  /** id → PNG of a completed edit. */
  public static final String RESULTS = "instgenie.results";

  /** How long finished jobs and their images stay in the cluster's maps. */
  private static final long FINISHED_TTL_MINUTES = 60;

  /** The member attribute where vertx-hazelcast keeps its node id. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordCodec<DenoiseTask> TASKS = new RecordCodec<>(DenoiseTask.class);

  private final Vertx vertx;
  private final HazelcastInstance hz;
  private final String nodeId;
  private final IMap<String, HazelcastJsonValue> jobs;
  private final IMap<String, byte[]> results;

  public ClusterState(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.hz = manager.getHazelcastInstance();
    this.nodeId = manager.getNodeId();
    this.jobs = hz.getMap(JOBS);
    this.results = hz.getMap(RESULTS);
    hz.getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent e) {}

              @Override
              public void memberRemoved(MembershipEvent e) {
                vertx
                    .eventBus()
                    .publish(
                        Addresses.NODE_LEFT,
                        vertxId(e.getMember()),
                        new DeliveryOptions().setLocalOnly(true));
              }
            });
  }

  public String nodeId() {
    return nodeId;
  }

  public HazelcastInstance hazelcast() {
    return hz;
  }

  /** True while {@code node} (a Vert.x node id) is a member. */
  public boolean alive(String node) {
    if (node == null) return false;
    for (Member m : hz.getCluster().getMembers()) if (node.equals(vertxId(m))) return true;
    return false;
  }

  /** The Vert.x node id of a member (vertx-hazelcast keeps it as a member attribute). */
  private static String vertxId(Member m) {
    String id = m.getAttribute(VERTX_NODE_ID);
    return id != null ? id : m.getUuid().toString();
  }

  /** True on the oldest member: the one survivor that adopts orphaned jobs. */
  public boolean oldest() {
    Iterator<Member> it = hz.getCluster().getMembers().iterator();
    return it.hasNext() && it.next().localMember();
  }

  public Future<Void> putJob(JobRecord r) {
    HazelcastJsonValue v = new HazelcastJsonValue(write(r));
    var stage =
        r.terminal()
            ? jobs.setAsync(r.id(), v, FINISHED_TTL_MINUTES, TimeUnit.MINUTES)
            : jobs.setAsync(r.id(), v);
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext()).mapEmpty();
  }

  /** The job's record, or null. */
  public Future<JobRecord> job(String id) {
    return Future.fromCompletionStage(jobs.getAsync(id), vertx.getOrCreateContext())
        .map(v -> v == null ? null : read(v.getValue()));
  }

  /** Unfinished jobs whose live record was kept by {@code home}. */
  public Future<List<JobRecord>> unfinishedHomedAt(String home) {
    return vertx.executeBlocking(
        () -> {
          List<JobRecord> out = new ArrayList<>();
          for (HazelcastJsonValue v : jobs.values(Predicates.equal("home", home))) {
            JobRecord r = read(v.getValue());
            if (!r.terminal()) out.add(r);
          }
          return out;
        },
        false);
  }

  public Future<Void> putResult(String id, byte[] png) {
    return Future.fromCompletionStage(
            results.setAsync(id, png, FINISHED_TTL_MINUTES, TimeUnit.MINUTES),
            vertx.getOrCreateContext())
        .mapEmpty();
  }

  /** The completed edit's PNG, or null. */
  public Future<byte[]> result(String id) {
    return Future.fromCompletionStage(results.getAsync(id), vertx.getOrCreateContext());
  }

  /** The task in a record's wire form. */
  public static String encodeTask(DenoiseTask t) {
    Buffer b = Buffer.buffer();
    TASKS.encodeToWire(b, t);
    return Base64.getEncoder().encodeToString(b.getBytes());
  }

  public static DenoiseTask decodeTask(String s) {
    return TASKS.decodeFromWire(0, Buffer.buffer(Base64.getDecoder().decode(s)));
  }

  private static String write(JobRecord r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the record of job " + r.id(), e);
    }
  }

  private static JobRecord read(String json) {
    try {
      return JSON.readValue(json, JobRecord.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a job record", e);
    }
  }
}
