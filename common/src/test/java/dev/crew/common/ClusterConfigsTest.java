package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.properties.ClientProperty;
import com.hazelcast.config.CompactSerializationConfigAccessor;
import com.hazelcast.config.Config;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigsTest {

  @Test
  void membership_portOutOfRangeRefused() {
    assertThatThrownBy(() -> new ClusterConfigs.Membership("c", List.of(), false, null, 0, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port 0");
    assertThatThrownBy(
            () -> new ClusterConfigs.Membership("c", List.of(), false, null, 65_536, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port 65536");
  }

  @Test
  void membership_joinListIsCopied() {
    List<String> join = new ArrayList<>(List.of("a:5701"));
    ClusterConfigs.Membership m =
        new ClusterConfigs.Membership("c", join, false, null, 5701, false);
    join.add("b:5701");

    assertThat(m.join()).containsExactly("a:5701");
  }

  @Test
  void member_isolatedDisablesDiscovery() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                "crew-x", List.of("10.0.0.1"), false, "127.0.0.1", 5801, true),
            Map.of("crew.role", "worker"),
            1);

    assertThat(config.getClusterName()).isEqualTo("crew-x");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces())
        .containsExactly("127.0.0.1");
    assertThat(config.getMemberAttributeConfig().getAttributes())
        .containsEntry("crew.role", "worker");
  }

  @Test
  void membership_multicastAndPeerListRefused() {
    assertThatThrownBy(
            () -> new ClusterConfigs.Membership("c", List.of("10.0.0.1"), true, null, 5701, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not several");
  }

  @Test
  void member_tcpJoinWithPeers() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                "c", List.of("10.0.0.1:5701", "10.0.0.2"), false, null, 5701, false),
            Map.of(),
            0);

    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.1:5701", "10.0.0.2");
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
  }

  @Test
  void membership_kubernetesDnsAndPeerListRefused() {
    assertThatThrownBy(
            () ->
                new ClusterConfigs.Membership(
                    "c", List.of("10.0.0.1"), false, null, 5701, false, "crew-workers"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not several");
  }

  @Test
  void member_kubernetesDnsOnly() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                "c", List.of(), false, null, 5701, false, "crew-workers.crew.svc.cluster.local"),
            Map.of(),
            0);

    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("crew-workers.crew.svc.cluster.local");
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void member_multicastOnly() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership("c", List.of(), true, null, 5701, false), Map.of(), 0);

    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
  }

  @Test
  void member_ledgerAndMapsWithBackups() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership("c", List.of(), false, null, 5701, true), Map.of(), 2);

    assertThat(config.getMapConfig("crew.ledger.blocks").getBackupCount()).isEqualTo(2);
    assertThat(config.getMapConfig(Names.JOBS).getBackupCount()).isEqualTo(2);
    assertThat(config.getMapConfig(Names.RESULTS).getBackupCount()).isEqualTo(2);
    // Past the longest retention: a job's results go with it before that (RetentionSweep).
    assertThat(config.getMapConfig(Names.RESULTS).getTimeToLiveSeconds())
        .isEqualTo(JobRetention.MAX.toSeconds());
    assertThat(config.getMapConfig(Names.JOBS).getTimeToLiveSeconds()).isZero();
    assertThat(
            CompactSerializationConfigAccessor.getRegistrations(
                config.getSerializationConfig().getCompactSerializationConfig()))
        .containsKeys("crew.Job", "crew.TaskChunk", "crew.TaskResult");
  }

  /**
   * A member retries a call to a partition whose owner left at most every 100 ms (a claim wakes
   * soon after the partition is promoted), and keeps retrying at least as long as Hazelcast's
   * defaults do.
   */
  @Test
  void member_retriesOftenButNoLessLongThanHazelcastsDefaults() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership("c", List.of(), false, null, 5701, true), Map.of(), 1);
    HazelcastProperties properties = new HazelcastProperties(config);

    long pause = properties.getMillis(ClusterProperty.INVOCATION_RETRY_PAUSE);
    int retries = properties.getInteger(ClusterProperty.INVOCATION_MAX_RETRY_COUNT);
    long defaultPause = Long.parseLong(ClusterProperty.INVOCATION_RETRY_PAUSE.getDefaultValue());
    int defaultRetries =
        Integer.parseInt(ClusterProperty.INVOCATION_MAX_RETRY_COUNT.getDefaultValue());

    assertThat(pause).isEqualTo(100);
    assertThat(pause * retries).isGreaterThanOrEqualTo(defaultPause * defaultRetries);
  }

  /**
   * A client waits for a write's backups less long than Hazelcast's default (a backup on a killed
   * worker never confirms), fails such a write as indeterminate, and Redo redoes it for far longer.
   */
  @Test
  void client_waitsLessForBackupsThanHazelcastsDefault_andRedoOutlastsTheWait() {
    ClientConfig config =
        ClusterConfigs.client("crew-y", List.of("127.0.0.1:5701"), Duration.ofSeconds(3));
    HazelcastProperties properties = new HazelcastProperties(config.getProperties());

    long wait = properties.getMillis(ClientProperty.OPERATION_BACKUP_TIMEOUT_MILLIS);

    assertThat(wait)
        .isLessThan(
            Long.parseLong(ClientProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getDefaultValue()))
        .isLessThan(Redo.REDO_FOR.toMillis() / 10);
    assertThat(properties.getBoolean(ClientProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE))
        .isTrue();
  }

  @Test
  void client_clusterAddressesTimeoutAndCodecs() {
    ClientConfig config =
        ClusterConfigs.client("crew-y", List.of("127.0.0.1:5701"), Duration.ofSeconds(3));

    assertThat(config.getClusterName()).isEqualTo("crew-y");
    assertThat(config.getNetworkConfig().getAddresses()).containsExactly("127.0.0.1:5701");
    assertThat(
            config
                .getConnectionStrategyConfig()
                .getConnectionRetryConfig()
                .getClusterConnectTimeoutMillis())
        .isEqualTo(3_000);
    assertThat(
            CompactSerializationConfigAccessor.getRegistrations(
                config.getSerializationConfig().getCompactSerializationConfig()))
        .containsKeys("crew.Job", "crew.TaskChunk", "crew.TaskResult");
    // A write its backups did not confirm fails (for Redo to repeat) instead of completing.
    assertThat(config.getProperty("hazelcast.client.operation.fail.on.indeterminate.state"))
        .isEqualTo("true");
    // A silent member is given up before the workers drop it (10 s at the least), so that no call
    // in flight to it is answered by it after it has split off.
    assertThat(Long.parseLong(config.getProperty("hazelcast.client.heartbeat.timeout")))
        .isLessThan(Duration.ofSeconds(10).toMillis());
  }
}
