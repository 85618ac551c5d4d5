package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.WireClassLoader;
import dev.crew.common.ledger.JobTally;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import planted.CompactPlanted;
import planted.DataPlanted;
import planted.Instantiations;
import planted.JavaPlanted;
import planted.RecordPlanted;

/**
 * A real worker in this JVM and an attacker with only Hazelcast's public client and the cluster
 * name, putting values of classes that are on the worker's classpath but not Crew's into every one
 * of Crew's maps, queues and ringbuffers.
 */
@ExtendWith(QuickJoin.class)
class ForeignTypesClusterTest {
  private static final String BLOCKS = "crew.ledger.blocks";

  private final String cluster = "test-" + UUID.randomUUID();
  private Worker worker;
  private HazelcastInstance attacker;

  @BeforeEach
  void startWorkerAndAttacker() {
    worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(
                    cluster, List.of("127.0.0.1"), false, "127.0.0.1", 5_801, false),
                2,
                50,
                0,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn());
    InetSocketAddress address =
        (InetSocketAddress) worker.hazelcast().getLocalEndpoint().getSocketAddress();
    ClientConfig config = new ClientConfig();
    config.setClusterName(cluster);
    config.getNetworkConfig().addAddress("127.0.0.1:" + address.getPort());
    attacker = HazelcastClient.newHazelcastClient(config);
  }

  @AfterEach
  void stop() {
    if (attacker != null) {
      attacker.shutdown();
    }
    worker.close();
  }

  /** What the attacker puts: nothing of it is made on the sender's side. */
  private static List<Object> planted() {
    return List.of(
        GenericRecordBuilder.compact(CompactPlanted.class.getName())
            .setString("payload", "x")
            .build(),
        GenericRecordBuilder.compact(RecordPlanted.class.getName())
            .setString("payload", "x")
            .build(),
        new JavaPlanted(),
        // Made here, by its constructor: counted before the attack's baseline is taken.
        new DataPlanted());
  }

  @Test
  void worker_instantiatesNoForeignClassAndStillRunsEveryItemOnce() throws InterruptedException {
    Submitter submitter = new Submitter(worker.hazelcast());
    // A first job creates every structure Crew uses, so the attacker can find them all by name.
    submitter.submit("fib", Lane.CPU, fibs("before", 8));
    submitter.readAll("before", 8, Duration.ofSeconds(30));
    List<Object> values = planted();
    int before = Instantiations.count();
    long refusedBefore = WireClassLoader.refused();

    List<IQueue<Object>> queues = new ArrayList<>();
    List<String> refusedAtPut = new ArrayList<>();
    for (DistributedObject object : attacker.getDistributedObjects()) {
      // The ledger's block map is keyed by block: a key of another type is the audit's concern, not
      // this test's (the block map keeps objects, so a foreign value is refused as it is put).
      if (!object.getName().startsWith("crew.") || object.getName().equals(BLOCKS)) {
        continue;
      }
      for (int i = 0; i < values.size(); i++) {
        Object value = values.get(i);
        try {
          switch (object) {
            case IMap<?, ?> map -> ((IMap<Object, Object>) map).set("planted-" + i, value);
            case IQueue<?> queue -> ((IQueue<Object>) queue).offer(value);
            case Ringbuffer<?> ring -> ((Ringbuffer<Object>) ring).add(value);
            default -> {}
          }
        } catch (RuntimeException e) {
          // A member that keeps the map's values as objects reads them as they arrive.
          refusedAtPut.add(object.getName() + ": " + e.getMessage());
        }
      }
      if (object instanceof IQueue<?> queue) {
        queues.add((IQueue<Object>) queue);
      }
    }
    System.err.printf("ForeignTypesClusterTest: refused when put: %s%n", refusedAtPut);
    assertThat(queues).as("the lane shards and bells").isNotEmpty();

    // The worker's lanes take from every shard and bell: all the planted values are read. Only
    // sizes are asked for: the attacker's own client, with Hazelcast's defaults, would build the
    // planted objects if it read the values back (as a failure message listing a queue would).
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                // A map of sizes, so that a failure message lists numbers, never a queue.
                assertThat(
                        queues.stream()
                            .collect(
                                java.util.stream.Collectors.toMap(
                                    q -> q.getName(), q -> q.size(), Integer::sum)))
                    .allSatisfy((name, size) -> assertThat(size).as(name).isZero()));

    submitter.submit("fib", Lane.CPU, fibs("after", 40));
    Map<String, TaskResult> after = submitter.readAll("after", 40, Duration.ofSeconds(30));

    assertThat(Instantiations.since(before)).as("planted instances made").isEmpty();
    assertThat(WireClassLoader.refused()).isGreaterThan(refusedBefore);
    assertThat(worker.ready()).isTrue();
    assertThat(after.values().stream().map(TaskResult::seq).collect(Collectors.toSet()))
        .isEqualTo(LongStream.range(0, 40).boxed().collect(Collectors.toSet()));
    assertThat(after.values()).allSatisfy(r -> assertThat(r.ok()).isEqualTo(1));
    assertThat(submitter.tally("after").states()).isEqualTo(new JobTally(0, 0, 0, 40));
    assertThat(worker.duplicatesDropped()).isZero();
  }

  private static List<TaskChunk> fibs(String jobId, int tasks) {
    List<TaskChunk> fibs = new ArrayList<>();
    for (int seq = 0; seq < tasks; seq++) {
      fibs.add(TaskChunk.ofRange(jobId, seq, seq, 20, 1));
    }
    return fibs;
  }
}
