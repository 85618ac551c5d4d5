package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's contract on real members in this JVM, plus what only a cluster can show. */
class HazelcastTaskLedgerTest extends TaskLedgerContract {
  private final String cluster = "ledger-" + UUID.randomUUID();
  private final List<HazelcastInstance> instances = new ArrayList<>();
  private HazelcastTaskLedger ledger;
  private HazelcastInstance member;

  @BeforeEach
  void startMember() {
    member = startMember(List.of());
    ledger = new HazelcastTaskLedger(member, LAYOUT, CLAIM_TIMEOUT, clock);
  }

  @AfterEach
  void shutDown() {
    for (HazelcastInstance instance : instances.reversed()) {
      instance.getLifecycleService().terminate();
    }
  }

  private HazelcastInstance startMember(List<String> join) {
    ClusterConfigs.Membership membership =
        new ClusterConfigs.Membership(
            cluster, join, false, "127.0.0.1", 5_701, /* isolated= */ false);
    HazelcastInstance started =
        Hazelcast.newHazelcastInstance(ClusterConfigs.member(membership, Map.of(), 1));
    instances.add(started);
    return started;
  }

  private static String addressOf(HazelcastInstance instance) {
    InetSocketAddress address = (InetSocketAddress) instance.getLocalEndpoint().getSocketAddress();
    return "127.0.0.1:" + address.getPort();
  }

  private HazelcastInstance startClient() {
    HazelcastInstance client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(cluster, List.of(addressOf(member)), Duration.ofSeconds(30)));
    instances.add(client);
    return client;
  }

  private static Claimant claimantOf(HazelcastInstance instance, String name) {
    return new Claimant(name, instance.getCluster().getLocalMember().getUuid().toString());
  }

  @Override
  TaskLedger ledger() {
    return ledger;
  }

  @Override
  boolean loseKey(Lane lane) {
    for (int shard = 0; shard < LAYOUT.shards(); shard++) {
      IQueue<BlockKey> queue = member.getQueue(LedgerSetup.shardName(lane, shard));
      if (queue.poll() != null) {
        return true;
      }
    }
    return false;
  }

  @Test
  void putBack_ofAMemberShutDownForRealQueuesAllItsClaims() throws Exception {
    HazelcastInstance second = startMember(List.of(addressOf(member)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> member.getCluster().getMembers().size() == 2);
    // 16 shards over two members: some blocks are kept by the member that dies, some by the other.
    LedgerLayout spread = new LedgerLayout(8, 16);
    TaskLedger submitter = new HazelcastTaskLedger(startClient(), spread, CLAIM_TIMEOUT, clock);
    TaskLedger victim = new HazelcastTaskLedger(second, spread, CLAIM_TIMEOUT, clock);
    TaskLedger survivor = new HazelcastTaskLedger(member, spread, CLAIM_TIMEOUT, clock);
    Claimant doomed = claimantOf(second, "doomed");
    submitter.store(Lane.CPU, tasks("job-a", 0, 128));
    List<TaskChunk> held = new ArrayList<>();
    // All of them: a claimer takes its own member's shards first, so only all is sure to reach
    // blocks on both members.
    for (int round = 0; round < ROUNDS && held.size() < 128; round++) {
      held.addAll(victim.claim(Lane.CPU, doomed, 5, Duration.ZERO));
    }
    assertThat(held.stream().map(t -> ownerOf(spread.keyOf(t.jobId(), t.seq()))).distinct())
        .hasSize(2);

    second.getLifecycleService().terminate();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> member.getCluster().getMembers().size() == 1);
    assertThat(survivor.putBack(new Loss.MemberLeft(doomed.memberUuid())).total())
        .isEqualTo(held.size());
    List<TaskChunk> all = new ArrayList<>();
    Claimant heir = claimantOf(member, "heir");
    for (int round = 0; round < ROUNDS; round++) {
      List<TaskChunk> got = survivor.claim(Lane.CPU, heir, 64, Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      all.addAll(got);
    }
    assertThat(seqs(all)).hasSize(128);
    assertThat(all.stream().filter(t -> t.attempt() == 1).map(TaskChunk::seq).toList())
        .containsExactlyInAnyOrderElementsOf(seqs(held));
    assertThat(submitter.tally("job-a").states()).isEqualTo(new JobTally(0, 128, 0, 0));
  }

  private UUID ownerOf(BlockKey key) {
    return member.getPartitionService().getPartition(key).getOwner().getUuid();
  }

  @Test
  void reads_goPastOldBlocksStillRunningATask_andReadALateResultSoon() throws Exception {
    // 40 blocks of 8, every block's first task still running: no block ever drains.
    List<TaskChunk> claimed = claimAfterStoring(40 * 8);
    List<TaskChunk> running =
        claimed.stream()
            .filter(t -> t.seq() % 8 == 0)
            .sorted(java.util.Comparator.comparingLong(TaskChunk::seq))
            .toList();
    List<TaskChunk> done = claimed.stream().filter(t -> t.seq() % 8 != 0).toList();
    ledger.record(resultsOf(done, ANN));

    Set<Long> read = new HashSet<>();
    int reads = 0;
    int empty = 0;
    while (read.size() < done.size() && reads < 200) {
      List<TaskResult> batch = ledger.consume("job-a", 8);
      batch.forEach(r -> assertThat(read.add(r.seq())).as("read once: %s", r.seq()).isTrue());
      reads++;
      empty += batch.isEmpty() ? 1 : 0;
    }
    // 280 results, at most 8 a read: 35 reads if every read came back full, 280 if the reads kept
    // asking the stuck blocks and one new one.
    assertThat(read).hasSize(done.size());
    assertThat(reads).isLessThanOrEqualTo(100);
    assertThat(empty).isLessThanOrEqualTo(10);

    // The oldest block's late result is read within a few reads, though its block was quiet.
    ledger.record(resultsOf(running.subList(0, 1), ANN));
    List<TaskResult> late = new ArrayList<>();
    for (int i = 0; i < 25 && late.isEmpty(); i++) {
      late.addAll(ledger.consume("job-a", 8));
    }
    assertThat(late).extracting(TaskResult::seq).containsExactly(0L);
  }

  @Test
  void reads_askTheClaimFrontierOfWaitingBlocks_andFindABlockClaimedOutOfTurn() throws Exception {
    // 40 blocks of 8, none claimed: every block waits.
    ledger.store(Lane.CPU, tasks("job-a", 0, 40 * 8));
    IMap<BlockKey, TaskBlock> map = member.getMap(LedgerSetup.BLOCKS);
    long before = ledger.blocksAsked();
    for (int i = 0; i < 20; i++) {
      assertThat(ledger.consume("job-a", 64)).isEmpty();
    }
    long asked = ledger.blocksAsked() - before;
    // Each read: the frontier's 2 blocks and 2 more in turn. Asking every open block, as reads
    // that come back short once did, is 800 calls.
    assertThat(asked).isBetween(20L, 20L * 4);

    // A block far past the frontier is claimed out of turn (as a worker takes a key offered back
    // to the tail of its shard) and recorded: the reads in turn find it.
    BlockKey far = LAYOUT.keyOf("job-a", 37 * 8);
    long deadline = clock.getAsLong() + CLAIM_TIMEOUT.toMillis();
    BlockOutcome claim = map.executeOnKey(far, new BlockOp(new BlockOp.Claim(ANN, 8, deadline)));
    assertThat(claim.tasks()).hasSize(8);
    ledger.record(resultsOf(claim.tasks(), ANN));
    List<TaskResult> found = new ArrayList<>();
    int reads = 0;
    while (found.isEmpty() && reads < 40) {
      found.addAll(ledger.consume("job-a", 64));
      reads++;
    }
    assertThat(found).extracting(TaskResult::seq).hasSize(8).allMatch(seq -> seq / 8 == 37);
  }

  @Test
  void doneReading_dropsTheJobsReadingState_andALaterReadFindsItsResultsAgain() throws Exception {
    ledger.record(resultsOf(claimAfterStoring(8).subList(0, 4), ANN));
    assertThat(ledger.pending("job-a", 10)).hasSize(4);
    assertThat(ledger.jobsKept()).isEqualTo(1);

    ledger.doneReading("job-a");

    assertThat(ledger.jobsKept()).isZero();
    assertThat(ledger.pending("job-a", 10)).hasSize(4);
  }

  private List<TaskChunk> claimAfterStoring(int tasks) throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, tasks));
    List<TaskChunk> claimed = claimAll(ANN, 64);
    assertThat(claimed).hasSize(tasks);
    return claimed;
  }

  @Test
  void consume_shrinksABlockToCounts() throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, 8));
    ledger.record(resultsOf(claimAll(ANN, 8), ANN));
    BlockKey key = LAYOUT.keyOf("job-a", 0);
    int recorded = sizeOf(member.<BlockKey, TaskBlock>getMap(LedgerSetup.BLOCKS).get(key));
    consumeAll("job-a", 8);
    int consumed = sizeOf(member.<BlockKey, TaskBlock>getMap(LedgerSetup.BLOCKS).get(key));

    assertThat(consumed).isLessThan(recorded / 2);
    assertThat(ledger.tally("job-a").states()).isEqualTo(new JobTally(0, 0, 0, 8));
  }

  @Test
  void codecs_roundTripEveryStateAndMove() {
    SerializationService serialization =
        ((SerializationServiceSupport) member).getSerializationService();
    List<TaskChunk> four = tasks("job-a", 0, 4);
    TaskBlock block =
        new TaskBlock(
            "job-a",
            Lane.IO,
            0,
            List.of(
                new TaskState.Queued(four.get(0)),
                new TaskState.Claimed(four.get(1), "ann", "member-ann", 42),
                new TaskState.Recorded(resultOf(four.get(2), ANN)),
                new TaskState.Consumed(3, 1, 12, 7)));
    List<BlockOp.Move> moves =
        List.of(
            new BlockOp.Add(Lane.IO, 8, four),
            new BlockOp.Claim(ANN, 3, 42),
            new BlockOp.Renew("member-ann", 43),
            new BlockOp.Record(resultsOf(four, BOB)),
            new BlockOp.SettleThenPending(List.of(9L), 5),
            new BlockOp.Settle(List.of(9L, 10L)),
            new BlockOp.Release("member-ann", List.of(9L)),
            new BlockOp.PutBack(new Loss.MemberLeft("member-bob"), 44),
            new BlockOp.PutBack(new Loss.ClaimsExpired("member-ann", Set.of("job/1")), 45),
            new BlockOp.PutBack(new Loss.Departed(Set.of("member-ann")), 46),
            new BlockOp.Probe());

    TaskBlock back = serialization.toObject(serialization.toData(block));
    assertThat(back.tally()).isEqualTo(block.tally());
    assertThat(back.slots().get(1)).isEqualTo(block.slots().get(1));
    assertThat(((TaskState.Recorded) back.slots().get(2)).result().values())
        .containsExactly(ANN.worker());
    for (BlockOp.Move move : moves) {
      BlockOp op = serialization.toObject(serialization.toData(new BlockOp(move)));
      assertThat(op.move().getClass()).isEqualTo(move.getClass());
    }
    BlockOp claim = serialization.toObject(serialization.toData(new BlockOp(moves.get(1))));
    assertThat(claim.move()).isEqualTo(moves.get(1));
  }

  private int sizeOf(TaskBlock block) {
    SerializationService serialization =
        ((SerializationServiceSupport) member).getSerializationService();
    return serialization.toData(block).totalSize();
  }

  @Test
  void blocks_ofAJobSpreadOverTheShardsAndTheirQueues() throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, 32)); // 4 blocks, 4 shards

    for (int shard = 0; shard < LAYOUT.shards(); shard++) {
      IQueue<BlockKey> queue = member.getQueue(LedgerSetup.shardName(Lane.CPU, shard));
      assertThat(queue).hasSize(1);
      BlockKey key = queue.peek();
      assertThat(key.shard()).isEqualTo(shard);
      assertThat(member.getPartitionService().getPartition(key).getPartitionId())
          .isEqualTo(
              member.getPartitionService().getPartition(BlockKey.shardKey(shard)).getPartitionId());
    }
  }

  @Test
  void audit_whileForeignElementsSitInTheShards_skipsThem_andFindsNoBlockMissing()
      throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, 32)); // a block in each shard
    HazelcastInstance stranger = startClient();
    for (int shard = 0; shard < LAYOUT.shards(); shard++) {
      stranger.getQueue(LedgerSetup.shardName(Lane.CPU, shard)).offer("not-a-key-" + shard);
    }

    // Twice: a block missing from the shards is offered again at the second audit that misses it.
    assertThat(ledger.audit()).as("blocks offered again by the first audit").isZero();
    assertThat(ledger.audit()).as("blocks offered again by the second audit").isZero();
    assertThat(claimAll(ANN, 32)).hasSize(32);
  }

  @Test
  void foreignEntries_plantedInTheBlocksMapAndAShard_stopNoMove() throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, 4));
    HazelcastInstance stranger = startClient();
    stranger.getMap(LedgerSetup.BLOCKS).set("not-a-block-key", "some value");
    stranger.getMap(LedgerSetup.BLOCKS).set(new BlockKey("job-x", 0, 0), "not a block");
    for (int shard = 0; shard < LAYOUT.shards(); shard++) {
      stranger.getQueue(LedgerSetup.shardName(Lane.CPU, shard)).offer("not-a-key-" + shard);
    }

    assertThat(ledger.tally("job-a").queued()).isEqualTo(4);
    assertThat(ledger.tallies()).containsOnlyKeys("job-a");
    List<TaskChunk> claimed = claimAll(ANN, 4);
    assertThat(claimed).hasSize(4);
    assertThat(ledger.putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isEqualTo(4);
    ledger.audit();
    ledger.forget("job-a");
    assertThat(ledger.tallies()).isEmpty();
    assertThat(stranger.getMap(LedgerSetup.BLOCKS).containsKey("not-a-block-key"))
        .as("the foreign key, removed by the audit")
        .isFalse();
  }
}
