package dev.crew.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Sealer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A one-member cluster on loopback, configured as a worker's member is, for the benchmarks that
 * need Hazelcast.
 */
public final class OneMember implements AutoCloseable {
  public final HazelcastInstance hazelcast;

  public OneMember(int backups) {
    this(backups, null);
  }

  /** With {@code sealer}, it seals items and results as a worker with a cluster secret does. */
  public OneMember(int backups, @Nullable Sealer sealer) {
    ClusterConfigs.Membership membership =
        new ClusterConfigs.Membership(
            "bench-" + UUID.randomUUID(),
            List.of(),
            false,
            "127.0.0.1",
            5_901,
            /* isolated= */ true);
    hazelcast =
        Hazelcast.newHazelcastInstance(
            ClusterConfigs.member(membership, Map.of(), backups, sealer));
  }

  public InternalSerializationService serialization() {
    return (InternalSerializationService)
        ((SerializationServiceSupport) hazelcast).getSerializationService();
  }

  @Override
  public void close() {
    hazelcast.shutdown();
  }
}
