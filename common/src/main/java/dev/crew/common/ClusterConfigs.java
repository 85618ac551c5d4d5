package dev.crew.common;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.properties.ClientProperty;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import dev.crew.common.ledger.LedgerSetup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds the Hazelcast configs of a worker member and of a coordinator client, so both sides agree.
 */
public final class ClusterConfigs {

  private ClusterConfigs() {}

  /**
   * How a member finds and is found by its peers.
   *
   * @param join {@code host[:port]} of peers for TCP/IP join; empty for none
   * @param multicast join by multicast instead
   * @param bind the address to bind and advertise, or {@code null} to let Hazelcast choose
   * @param port the first port to try; taken ports are skipped, as Hazelcast does
   * @param isolated no discovery at all: a one-member cluster, as the coordinator's embedded worker
   *     is
   * @param kubernetesDns the DNS name of a headless Kubernetes Service whose addresses are the
   *     peers (Hazelcast's Kubernetes discovery in DNS mode, which needs no API permissions), or
   *     {@code null}
   */
  public record Membership(
      String cluster,
      List<String> join,
      boolean multicast,
      String bind,
      int port,
      boolean isolated,
      @Nullable String kubernetesDns) {
    public Membership {
      join = List.copyOf(join);
      int ways = (multicast ? 1 : 0) + (join.isEmpty() ? 0 : 1) + (kubernetesDns == null ? 0 : 1);
      if (ways > 1) {
        throw new IllegalArgumentException(
            "join by one of multicast, a peer list or Kubernetes DNS, not several");
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port " + port + " is outside 1..65535");
      }
    }

    /** Joins by multicast or a peer list (or neither), not by Kubernetes DNS. */
    public Membership(
        String cluster,
        List<String> join,
        boolean multicast,
        String bind,
        int port,
        boolean isolated) {
      this(cluster, join, multicast, bind, port, isolated, /* kubernetesDns= */ null);
    }
  }

  /** A member of a cluster without a secret. */
  public static Config member(Membership membership, Map<String, String> attributes, int backups) {
    return member(membership, attributes, backups, null);
  }

  /** A member; with {@code sealer}, what users submit and get back is stored sealed. */
  public static Config member(
      Membership membership, Map<String, String> attributes, int backups, @Nullable Sealer sealer) {
    CallbackPool.install();
    Config config = new Config();
    config.setClusterName(membership.cluster());
    quiet(config.getProperties());
    // Hazelcast's own metrics (for its Management Center, and as JMX beans) are read by nothing of
    // Crew's, whose figures are its own (/metrics): off, a worker does not collect every metric of
    // every partition each 5 s.
    config.getMetricsConfig().setEnabled(false);
    // The worker leaves the cluster itself on SIGTERM (after logging and draining), not Hazelcast's
    // own hook.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A member whose port refuses connections (its process is gone) is dropped at the second
    // refusal, at least 100 ms after the first, not at Hazelcast's fourth: its claimed tasks run
    // elsewhere sooner (a worker killed with SIGKILL was dropped 0.15 s after the kill, not
    // 0.36-0.41 s). A member cut off by the network refuses nothing: the heartbeat judges it.
    config.setProperty(MAX_CONNECTION_FAULTS, "1");
    // A call to a partition whose owner is gone is retried, at growing intervals, until the
    // partition is promoted on a survivor (about 0.25 s after the owner is dropped). Hazelcast lets
    // the interval grow to 500 ms, so a lane's claim could wake up to half a second after its
    // partition was back, and the killed worker's tasks ran again that much later; at most 100 ms
    // here. Five times as many retries (1,250) keep a call retrying as long as before (about two
    // minutes) before it fails.
    config.setProperty(
        ClusterProperty.INVOCATION_RETRY_PAUSE.getName(), Long.toString(RETRY_PAUSE.toMillis()));
    config.setProperty(
        ClusterProperty.INVOCATION_MAX_RETRY_COUNT.getName(), Integer.toString(maxRetries()));
    config.getMemberAttributeConfig().setAttributes(attributes);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(membership.port()).setPortAutoIncrement(true).setPortCount(100);
    if (membership.bind() != null) {
      network.getInterfaces().setEnabled(true).addInterface(membership.bind());
      config.setProperty("hazelcast.socket.bind.any", "false");
      config.setProperty("hazelcast.local.localAddress", membership.bind());
    }
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    boolean discovers = !membership.isolated();
    boolean kubernetes = discovers && membership.kubernetesDns() != null;
    // Without a peer list a member still joins by TCP/IP (alone, for now) so that later members can
    // join it.
    join.getMulticastConfig().setEnabled(discovers && membership.multicast());
    join.getTcpIpConfig()
        .setEnabled(discovers && !membership.multicast() && !kubernetes)
        .setMembers(membership.join());
    if (kubernetes) {
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", membership.kubernetesDns());
    }

    config.addMapConfig(
        new MapConfig(Names.JOBS)
            .setBackupCount(backups)
            .setNearCacheConfig(
                new NearCacheConfig(Names.JOBS)
                    .setInMemoryFormat(InMemoryFormat.OBJECT)
                    // Workers read the job of every task they take: keep even locally owned entries
                    // in the cache.
                    .setCacheLocalEntries(true)
                    .setInvalidateOnChange(true)));
    config.addMapConfig(
        new MapConfig(Names.RESULTS)
            .setBackupCount(backups)
            .setMergePolicyConfig(
                new MergePolicyConfig(FirstResultMergePolicy.class.getName(), 100))
            // A job's results go with it when its retention passes (RetentionSweep); this only ends
            // those a remover left behind, past the longest retention a job can ask for.
            .setTimeToLiveSeconds((int) JobRetention.MAX.toSeconds())
            // Job progress (status, jobs, top, the dashboard) counts one job's results: only those,
            // not the map.
            .addIndexConfig(new IndexConfig(IndexType.HASH, "jobId"))
            // What each job and all jobs hold unread (ResultHoldings): only unread results, not
            // the counts of consumed ones, which may be millions.
            .addIndexConfig(new IndexConfig(IndexType.SORTED, "heldBytes"))
            .addIndexConfig(new IndexConfig(IndexType.SORTED, "jobId", "heldBytes")));
    config.addMapConfig(
        new MapConfig(Names.BUDGETS)
            .setBackupCount(backups)
            .setTimeToLiveSeconds((int) JobRetention.MAX.toSeconds()));
    config.addMapConfig(new MapConfig(Names.HEARTBEATS).setBackupCount(backups));
    LedgerSetup.member(config, backups);
    CompactCodecs.register(config.getSerializationConfig().getCompactSerializationConfig(), sealer);
    FirstResultMergePolicy.register(config.getSerializationConfig());
    filterJavaSerialization(config.getSerializationConfig());
    config.setClassLoader(WIRE_CLASSES);
    return config;
  }

  /** Connection errors to a member, past the first, after which it is dropped from the cluster. */
  static final String MAX_CONNECTION_FAULTS = "hazelcast.connection.monitor.max.faults";

  /** The longest pause between a member's retries of a call (Hazelcast's default: 500 ms). */
  static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  /** Retries of a call that take as long, at RETRY_PAUSE, as Hazelcast's default ones. */
  static int maxRetries() {
    long pause = Long.parseLong(ClusterProperty.INVOCATION_RETRY_PAUSE.getDefaultValue());
    int retries = Integer.parseInt(ClusterProperty.INVOCATION_MAX_RETRY_COUNT.getDefaultValue());
    return Math.toIntExact(retries * pause / RETRY_PAUSE.toMillis());
  }

  /** How often a client pings a member it has not heard from. */
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /**
   * How long a client waits on a silent member before it closes the connection: less than the
   * shortest time after which workers drop a silent member ({@code Worker.memberTimeout}, 10 s).
   */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * How long a client waits for a write's backups to confirm it: long enough for a busy worker's
   * backup, short enough that a dead one stops the client's writes briefly.
   */
  static final Duration BACKUP_ACK_TIMEOUT = Duration.ofSeconds(1);

  /** The client property that makes a write whose backups did not confirm it fail. */
  static final String FAIL_ON_INDETERMINATE_STATE =
      "hazelcast.client.operation.fail.on.indeterminate.state";

  /**
   * A client of the cluster named {@code cluster} at {@code addresses}, giving up after {@code
   * connectTimeout}.
   */
  public static ClientConfig client(
      String cluster, List<String> addresses, Duration connectTimeout) {
    return client(cluster, addresses, connectTimeout, null);
  }

  /** A client; with {@code sealer}, it seals what it stores and opens what it reads. */
  public static ClientConfig client(
      String cluster, List<String> addresses, Duration connectTimeout, @Nullable Sealer sealer) {
    CallbackPool.install();
    ClientConfig config = new ClientConfig();
    config.setClusterName(cluster);
    quiet(config.getProperties());
    // Hazelcast's own metrics (for its Management Center, and as JMX beans) are read by nothing of
    // Crew's: off, a coordinator registers no beans and collects nothing every 5 s during a job.
    config.getMetricsConfig().setEnabled(false);
    // A member that dies mid-call must not fail the coordinator: redo the call on another member. A
    // redone offer may queue a block's key twice; its tasks are still claimed once.
    config.getNetworkConfig().setAddresses(List.copyOf(addresses)).setRedoOperation(true);
    // A write whose backup never confirmed it fails instead of completing (the default): its owner
    // may be cut off, and the copy promoted when it is dropped would not have it. Crew's writes are
    // safe to repeat, and Redo repeats them until they hold.
    config.setProperty(FAIL_ON_INDETERMINATE_STATE, "true");
    // The client waits for a write's backups to confirm it; a backup on a worker killed mid-write
    // never does, and only this timeout ends the wait (Hazelcast's default of 5 s stopped the
    // coordinator's output for 5 s after a third of the kills in KillIT). The write then fails as
    // indeterminate and is redone.
    config.setProperty(
        ClientProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(),
        Long.toString(BACKUP_ACK_TIMEOUT.toMillis()));
    // A member that stops answering is given up well before the workers drop it (at least 10 s):
    // a call still in flight to it is then redone on the cluster. Kept longer, the connection
    // outlived the member's split from the cluster, and when the link came back the split-off
    // member took the call and answered it, for a write the cluster never saw.
    config.setProperty("hazelcast.client.heartbeat.interval", Long.toString(HEARTBEAT.toMillis()));
    config.setProperty(
        "hazelcast.client.heartbeat.timeout", Long.toString(HEARTBEAT_TIMEOUT.toMillis()));
    config
        .getConnectionStrategyConfig()
        .getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(connectTimeout.toMillis())
        .setInitialBackoffMillis(100)
        .setMaxBackoffMillis(1_000);
    LedgerSetup.client(config);
    CompactCodecs.register(config.getSerializationConfig().getCompactSerializationConfig(), sealer);
    filterJavaSerialization(config.getSerializationConfig());
    config.setClassLoader(WIRE_CLASSES);
    return config;
  }

  /**
   * What Hazelcast resolves names from the wire with, members and clients alike: one instance, so
   * Hazelcast's caches of loaded classes (kept per loader) are shared by all of them.
   */
  private static final ClassLoader WIRE_CLASSES =
      new WireClassLoader(ClusterConfigs.class.getClassLoader());

  /**
   * Crew sends nothing with Java serialization; Hazelcast still may for JDK and Hazelcast types (an
   * exception in a response between members). The filter accepts only those: {@code java.} and
   * {@code com.hazelcast.} classes and arrays, whose element classes {@link WireClassLoader} then
   * checks. Hazelcast's defaults are off because their {@code java} prefix also matches libraries
   * such as {@code javassist}.
   */
  private static void filterJavaSerialization(SerializationConfig serialization) {
    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
    filter.setDefaultsDisabled(true);
    filter.getWhitelist().addPrefixes("java.", "com.hazelcast.", "[");
    serialization.setJavaSerializationFilterConfig(filter);
  }

  private static void quiet(java.util.Properties properties) {
    properties.setProperty("hazelcast.logging.type", "slf4j");
    properties.setProperty("hazelcast.phone.home.enabled", "false");
  }
}
