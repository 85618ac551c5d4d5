package dev.crew.common.ledger;

import static dev.crew.common.ledger.TaskLedgerContract.ANN;
import static dev.crew.common.ledger.TaskLedgerContract.resultOf;
import static dev.crew.common.ledger.TaskLedgerContract.tasks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.CompactSerializationConfigAccessor;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.TypedDataSerializable;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.NewestJobs;
import dev.crew.common.Params;
import dev.crew.common.ResultBudget;
import dev.crew.common.TaskChunk;
import dev.crew.common.WireClassLoader;
import dev.crew.common.WorkerStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a member and a client configured by {@link ClusterConfigs} accept on the wire: every type
 * Crew stores, and no class a sender names.
 */
class WireTypesTest {
  private final String cluster = "wire-" + UUID.randomUUID();
  private final List<HazelcastInstance> instances = new ArrayList<>();
  private Config memberConfig;
  private HazelcastInstance member;
  private HazelcastInstance client;

  @BeforeEach
  void start() {
    memberConfig =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                cluster, List.of(), false, "127.0.0.1", 5_701, /* isolated= */ false),
            Map.of(),
            0);
    member = Hazelcast.newHazelcastInstance(memberConfig);
    instances.add(member);
    InetSocketAddress address = (InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
    client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(
                cluster, List.of("127.0.0.1:" + address.getPort()), Duration.ofSeconds(10)));
    instances.add(client);
  }

  @AfterEach
  void stop() {
    instances.reversed().forEach(i -> i.getLifecycleService().terminate());
  }

  /** One of every type Crew stores or sends, by its class. */
  private static Map<Class<?>, Object> samples() {
    List<TaskChunk> two = tasks("job-w", 0, 2);
    TaskBlock block = TaskBlock.empty("job-w", Lane.IO, 0).add(two).block();
    Map<Class<?>, Object> samples = new java.util.HashMap<>();
    NewestJobs newest = new NewestJobs(2);
    newest.accumulate(Map.entry("job-w", Job.submitting("job-w", "fib", Lane.CPU, Params.NONE, 5)));
    samples.put(NewestJobs.class, newest);
    samples.put(NewestJobs.Newest.class, new NewestJobs.Newest(List.of("job-w", "job-v"), 7, 1));
    samples.put(LedgerKeys.class, LedgerKeys.ofJob("job-w"));
    samples.put(ActiveBlocks.class, ActiveBlocks.ONLY);
    samples.putAll(sampleRecords(two, block));
    return samples;
  }

  private static Map<Class<?>, Object> sampleRecords(List<TaskChunk> two, TaskBlock block) {
    return Map.of(
        Job.class,
        Job.submitting("job-w", "fib", Lane.CPU, new Params(Map.of("n", "3")), 1_000).queued(2, 2),
        TaskChunk.class,
        two.getFirst(),
        dev.crew.common.TaskResult.class,
        resultOf(two.get(1), ANN),
        ResultBudget.class,
        new ResultBudget("job-w", 1 << 20, true),
        WorkerStats.class,
        new WorkerStats(
            "w1",
            "host",
            2,
            2,
            1,
            50,
            3,
            true,
            10,
            1,
            4,
            2.5,
            0,
            1,
            0,
            1_000,
            2_000,
            List.of(new WorkerStats.JobDone("job-w", 10, 1, 4)),
            List.of(new WorkerStats.KeyLimit("http-get http://example.com:443", 57, 55))),
        CrewEvent.class,
        new CrewEvent(1_000, "w1", CrewEvent.Kind.REFUSED, "unsigned job", 1),
        BlockKey.class,
        new BlockKey("job-w", 0, 3),
        TaskBlock.class,
        block,
        BlockOp.class,
        new BlockOp(new BlockOp.Claim(ANN, 2, 9_000)),
        BlockOutcome.class,
        new BlockOutcome(
            1,
            1,
            true,
            false,
            List.of(two.getFirst()),
            List.of(),
            List.of("job-w/1"),
            JobTally.EMPTY));
  }

  @Test
  void crewTypes_roundTripBothWaysWithoutARefusal() {
    Set<Class<?>> registered =
        CompactSerializationConfigAccessor.getRegistrations(
                memberConfig.getSerializationConfig().getCompactSerializationConfig())
            .values()
            .stream()
            .<Class<?>>map(registration -> registration.element1)
            .collect(Collectors.toSet());
    Map<Class<?>, Object> samples = samples();
    // A type registered later without a sample here fails this test, instead of going untried.
    assertThat(samples.keySet()).containsExactlyInAnyOrderElementsOf(registered);
    long refusedBefore = WireClassLoader.refused();

    samples.forEach(
        (type, sample) -> {
          String key = type.getName();
          client.getMap("wire.to-member").set(key, sample);
          assertThat(member.getMap("wire.to-member").get(key))
              .as(key)
              .isInstanceOf(type)
              .usingRecursiveComparison()
              .isEqualTo(sample);
          member.getMap("wire.to-client").set(key, sample);
          assertThat(client.getMap("wire.to-client").get(key))
              .as(key)
              .isInstanceOf(type)
              .usingRecursiveComparison()
              .isEqualTo(sample);
        });

    assertThat(WireClassLoader.refused()).isEqualTo(refusedBefore);
  }

  @Test
  void compactNamingAClass_readsAsGenericRecordAndIsCounted() {
    HazelcastInstance attacker = plainClient();
    // A Crew record under its class name (not its registered type name), a JDK class and one of
    // Hazelcast's: each would be built by reflection, bypassing the codecs.
    List<String> named =
        List.of(Job.class.getName(), "java.lang.Thread", "com.hazelcast.cluster.Address");
    long refusedBefore = WireClassLoader.refused();
    for (String name : named) {
      attacker
          .getMap("wire.planted")
          .set(name, GenericRecordBuilder.compact(name).setString("id", "x").build());
    }

    for (String name : named) {
      assertThat(member.getMap("wire.planted").get(name))
          .as(name)
          .isInstanceOf(GenericRecord.class);
      assertThat(client.getMap("wire.planted").get(name))
          .as(name)
          .isInstanceOf(GenericRecord.class);
    }
    // Hazelcast remembers a refused type name: each is refused once per member or client.
    assertThat(WireClassLoader.refused()).isEqualTo(refusedBefore + 2L * named.size());
  }

  @Test
  void dataSerializableNamingAHazelcastClassThatIsNone_isRefusedBeforeItIsMade() {
    HazelcastInstance attacker = plainClient();
    attacker.getMap("wire.planted").set("config", new Naming(Config.class));
    long refusedBefore = WireClassLoader.refused();

    assertThatThrownBy(() -> member.getMap("wire.planted").get("config"))
        .hasRootCauseInstanceOf(SecurityException.class);
    assertThat(WireClassLoader.refused()).isEqualTo(refusedBefore + 1);
  }

  @Test
  void entryEventsBetweenMembers_arriveWithoutARefusal() {
    InetSocketAddress address = (InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
    HazelcastInstance second =
        Hazelcast.newHazelcastInstance(
            ClusterConfigs.member(
                new ClusterConfigs.Membership(
                    cluster,
                    List.of("127.0.0.1:" + address.getPort()),
                    false,
                    "127.0.0.1",
                    5_701,
                    /* isolated= */ false),
                Map.of(),
                0));
    instances.add(second);
    assertThat(second.getCluster().getMembers()).hasSize(2);
    List<Object> heard = new CopyOnWriteArrayList<>();
    // Events of the entries the first member owns reach the second as Hazelcast's non-identified
    // DataSerializables, with a Crew type inside.
    second
        .<String, Object>getMap("wire.events")
        .addEntryListener(
            (EntryAddedListener<String, Object>) event -> heard.add(event.getValue()),
            /* includeValue= */ true);
    Map<Class<?>, Object> samples = samples();
    long refusedBefore = WireClassLoader.refused();

    samples.forEach((type, sample) -> member.getMap("wire.events").set(type.getName(), sample));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(heard)
                    // Types checked too: without them a TaskBlock could stand for the TaskChunk it
                    // holds in the matching, which then depended on the order events arrived in.
                    .usingRecursiveFieldByFieldElementComparator(
                        RecursiveComparisonConfiguration.builder()
                            .withStrictTypeChecking(true)
                            .build())
                    .containsExactlyInAnyOrderElementsOf(samples.values()));
    assertThat(WireClassLoader.refused()).isEqualTo(refusedBefore);
  }

  /** A DataSerializable that tells Hazelcast to write another class's name as its own. */
  private record Naming(Class<?> type) implements TypedDataSerializable {
    @Override
    public Class<?> getClassType() {
      return type;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }

  private HazelcastInstance plainClient() {
    InetSocketAddress address = (InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
    ClientConfig config = new ClientConfig();
    config.setClusterName(cluster);
    config.getNetworkConfig().addAddress("127.0.0.1:" + address.getPort());
    HazelcastInstance attacker = HazelcastClient.newHazelcastClient(config);
    instances.add(attacker);
    return attacker;
  }
}
