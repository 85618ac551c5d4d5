package dev.crew.client.job;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A real member on loopback in a cluster of its own, for tests of what the client stores. */
final class IsolatedMember {
  private IsolatedMember() {}

  /** Starts a member of a new cluster named {@code prefix} and a random suffix. */
  static HazelcastInstance start(String prefix) {
    return Hazelcast.newHazelcastInstance(
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                prefix + "-" + UUID.randomUUID(),
                List.of(),
                false,
                "127.0.0.1",
                5_701,
                /* isolated= */ true),
            Map.of(),
            0));
  }
}
