package dev.crew.common;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A real member on loopback in a cluster of its own, for tests of readers of Crew's maps. */
final class IsolatedMember {
  private IsolatedMember() {}

  /** Starts a member of a new cluster named {@code prefix} and a random suffix. */
  static HazelcastInstance start(String prefix) {
    ClusterConfigs.Membership membership =
        new ClusterConfigs.Membership(
            prefix + "-" + UUID.randomUUID(),
            List.of(),
            false,
            "127.0.0.1",
            5_701,
            /* isolated= */ true);
    return Hazelcast.newHazelcastInstance(ClusterConfigs.member(membership, Map.of(), 0));
  }
}
