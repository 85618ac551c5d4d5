package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.JobSigner;
import dev.crew.common.Names;
import dev.crew.common.SecretFingerprint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Members in this JVM on loopback, each publishing a secret fingerprint as a worker does. */
@ExtendWith(QuickJoin.class)
class SecretCheckTest {
  private static final int PORT_BASE = 5851;
  private static final String SIGNED = JobSigner.of("the-cluster-secret").fingerprint();

  private final String cluster = "test-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void shutDown() {
    members.forEach(HazelcastInstance::shutdown);
  }

  @Test
  void afterJoin_newerMemberWithoutSecret_leavesWithOneLine_olderStays() {
    HazelcastInstance signed = member(SIGNED, List.of());
    HazelcastInstance open = member(SecretFingerprint.NONE, List.of(address(signed)));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> signed.getCluster().getMembers().size() == 2);

    // Two that started at once both joined; only the newer one gives way, whichever looks first.
    assertThatCode(() -> SecretCheck.afterJoin(signed, cluster, SIGNED)).doesNotThrowAnyException();
    assertThatThrownBy(() -> SecretCheck.afterJoin(open, cluster, SecretFingerprint.NONE))
        .isInstanceOf(SecretCheck.SecretMismatch.class)
        .hasMessage(
            "cluster '"
                + cluster
                + "' is not this worker's: its workers hold a cluster secret (fingerprint "
                + SIGNED
                + "; this worker's: none); start it with the cluster's secret (CREW_SECRET or"
                + " --secret-file); it left again before running anything");
    assertThat(open.getLifecycleService().isRunning()).isFalse();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> signed.getCluster().getMembers().size() == 1);
  }

  @Test
  void afterJoin_sameSecret_stays() {
    HazelcastInstance first = member(SIGNED, List.of());
    HazelcastInstance second = member(SIGNED, List.of(address(first)));

    assertThatCode(() -> SecretCheck.afterJoin(second, cluster, SIGNED)).doesNotThrowAnyException();
    assertThat(second.getCluster().getMembers()).hasSize(2);
  }

  @Test
  void beforeJoin_signedPeer_refusesSecretlessAndOtherSecret_acceptsSame() {
    HazelcastInstance signed = member(SIGNED, List.of());
    ClusterConfigs.Membership joining = membership(List.of(address(signed)));

    assertThatThrownBy(() -> SecretCheck.beforeJoin(joining, SecretFingerprint.NONE))
        .isInstanceOf(SecretCheck.SecretMismatch.class)
        .hasMessageContaining("its workers hold a cluster secret")
        .hasMessageEndingWith("it did not join");
    String other = JobSigner.of("another-secret").fingerprint();
    assertThatThrownBy(() -> SecretCheck.beforeJoin(joining, other))
        .hasMessageContaining("its workers hold another cluster secret (fingerprint " + SIGNED)
        .hasMessageContaining("this worker's: " + other);
    assertThatCode(() -> SecretCheck.beforeJoin(joining, SIGNED)).doesNotThrowAnyException();
  }

  @Test
  void beforeJoin_secretlessPeer_refusesSigned() {
    HazelcastInstance open = member(SecretFingerprint.NONE, List.of());

    assertThatThrownBy(() -> SecretCheck.beforeJoin(membership(List.of(address(open))), SIGNED))
        .hasMessageContaining("its workers run without a cluster secret");
  }

  @Test
  void beforeJoin_noPeerListening_returnsWithoutWaitingForAClient() {
    HazelcastInstance gone = member(SIGNED, List.of());
    String address = address(gone);
    gone.shutdown();

    long started = System.nanoTime();
    SecretCheck.beforeJoin(membership(List.of(address)), SecretFingerprint.NONE);

    // A client would try for its whole connect timeout; the first worker of a cluster must not.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  private HazelcastInstance member(String fingerprint, List<String> join) {
    HazelcastInstance member =
        Hazelcast.newHazelcastInstance(
            ClusterConfigs.member(
                membership(join),
                Map.of(
                    Names.ATTR_ROLE, Names.ROLE_WORKER, Names.ATTR_SECRET_FINGERPRINT, fingerprint),
                1));
    members.add(member);
    return member;
  }

  private ClusterConfigs.Membership membership(List<String> join) {
    return new ClusterConfigs.Membership(cluster, join, false, "127.0.0.1", PORT_BASE, false);
  }

  private static String address(HazelcastInstance member) {
    return "127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort();
  }
}
