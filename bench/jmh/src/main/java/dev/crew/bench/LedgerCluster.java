package dev.crew.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ledger.Claimant;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.LedgerLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One member (where workers claim and record, as a worker's lane loop would) and one client (where
 * the submitter stores and consumes, as the coordinator would), in this JVM, on loopback.
 */
final class LedgerCluster implements AutoCloseable {
  static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(15);

  final HazelcastInstance member;
  final HazelcastInstance client;
  final HazelcastTaskLedger workerSide;
  final HazelcastTaskLedger submitterSide;
  final Claimant claimant;

  LedgerCluster() {
    String cluster = "ledger-bench-" + UUID.randomUUID();
    ClusterConfigs.Membership membership =
        new ClusterConfigs.Membership(
            cluster, List.of(), false, "127.0.0.1", 5_901, /* isolated= */ false);
    member = Hazelcast.newHazelcastInstance(ClusterConfigs.member(membership, Map.of(), 0));
    int port = ((InetSocketAddress) member.getLocalEndpoint().getSocketAddress()).getPort();
    client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(cluster, List.of("127.0.0.1:" + port), Duration.ofSeconds(30)));
    workerSide =
        new HazelcastTaskLedger(
            member, LedgerLayout.DEFAULT, CLAIM_TIMEOUT, System::currentTimeMillis);
    submitterSide =
        new HazelcastTaskLedger(
            client, LedgerLayout.DEFAULT, CLAIM_TIMEOUT, System::currentTimeMillis);
    claimant =
        new Claimant("bench:" + port, member.getCluster().getLocalMember().getUuid().toString());
  }

  @Override
  public void close() {
    client.shutdown();
    member.shutdown();
  }
}
