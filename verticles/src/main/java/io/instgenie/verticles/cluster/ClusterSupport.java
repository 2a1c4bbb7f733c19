package io.instgenie.verticles.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.FileSystemYamlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.TcpIpConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Starts a clustered Vert.x on Hazelcast. The configuration is looked up once, here: the file given
 * ({@code cluster_config}), else vertx-hazelcast's own order ({@code -Dvertx.hazelcast.config},
 * then {@code cluster.xml} on the classpath, then its multicast default). The maps and multimap
 * Vert.x needs are added when a file leaves them out.
 */
public final class ClusterSupport {
  private ClusterSupport() {}

  /** A clustered Vert.x and the cluster manager it joined through. */
  public record Node(Vertx vertx, HazelcastClusterManager manager) {}

  /** Reads {@code file} (XML, or YAML by extension); null: vertx-hazelcast's lookup. */
  public static Config load(Path file) {
    Config c;
    if (file == null) {
      c = ConfigUtil.loadConfig();
    } else {
      if (!Files.isRegularFile(file))
        throw new IllegalArgumentException("cluster config " + file + " is not a file");
      try {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        c =
            name.endsWith(".yaml") || name.endsWith(".yml")
                ? new FileSystemYamlConfig(file.toFile())
                : new FileSystemXmlConfig(file.toFile());
      } catch (FileNotFoundException e) {
        throw new IllegalArgumentException("cannot read cluster config " + file, e);
      }
    }
    return withVertxStructures(c);
  }

  /**
   * A loopback cluster for tests and a laptop: interface 127.0.0.1, member {@code port}, TCP-IP
   * join with the members listed one by one (the range form crashes the joiner), no multicast, no
   * phone-home, no join wait.
   */
  public static Config loopback(String clusterName, int port, List<Integer> memberPorts) {
    Config c = new Config().setClusterName(clusterName);
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "jdk");
    c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = c.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(true);
    for (int p : memberPorts) tcp.addMember("127.0.0.1:" + p);
    return withVertxStructures(c);
  }

  /**
   * Joins the cluster; the event bus listens on {@code host} (null: the address Hazelcast binds) on
   * any free port.
   */
  public static Future<Node> start(Config hazelcast, String host) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    EventBusOptions bus = new EventBusOptions();
    if (host != null) bus.setHost(host);
    VertxOptions options = new VertxOptions().setEventBusOptions(bus);
    return Vertx.builder()
        .with(options)
        .withClusterManager(manager)
        .buildClustered()
        .map(v -> new Node(v, manager));
  }

  private static Config withVertxStructures(Config c) {
    if (!c.getMultiMapConfigs().containsKey("__vertx.subs"))
      c.addMultiMapConfig(
          new MultiMapConfig("__vertx.subs")
              .setBackupCount(1)
              .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    for (String map : List.of("__vertx.haInfo", "__vertx.nodeInfo"))
      if (!c.getMapConfigs().containsKey(map)) c.addMapConfig(new MapConfig(map).setBackupCount(1));
    return c;
  }
}
