package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import dev.crew.common.Lane;
import dev.crew.common.Redo;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger in a Hazelcast cluster, used from a member or a client. Blocks live in one map, each
 * moved by one entry processor call ({@link BlockOp}); which blocks have queued tasks is kept by
 * {@link LaneShards}.
 */
public final class HazelcastTaskLedger implements TaskLedger {
  private static final Logger log = LoggerFactory.getLogger(HazelcastTaskLedger.class);

  /** How long an idle claimer waits for the bell before looking over the shards again. */
  private static final long IDLE_SWEEP_MILLIS = 100;

  /** Most blocks one consume call asks at once. */
  private static final int CONSUME_WINDOW = 256;

  private final HazelcastInstance hazelcast;
  private final LedgerLayout layout;
  private final Duration claimTimeout;
  private final LongSupplier clockMillis;
  private final IMap<BlockKey, TaskBlock> blocks;
  private final LaneShards shards;

  /** Per job this ledger stores or consumes: the indexes of its blocks not yet drained. */
  private final Map<String, NavigableSet<Long>> open = new ConcurrentHashMap<>();

  /**
   * Per job this ledger consumes: which of its open blocks the next read asks. Each block asked is
   * an entry processor call on its partition, most of them answering "nothing yet" when a read asks
   * blocks that cannot have results. A read asks every block that had tasks running or results
   * unread the last time it was asked, up to a window: few blocks while reads come back full, twice
   * as many after one that comes back short. Blocks that had nothing in flight (all their tasks
   * left queued, or never asked yet) are <em>waiting</em>: a read asks only the oldest few of them,
   * the claim frontier, which widens while every block asked there turns out taken and narrows when
   * most are still waiting; the others are asked a few at a time, in turn. Blocks in flight that
   * had nothing three reads in a row (a long task) are passed over likewise, so that neither a
   * block stuck on a long task holds the reads up nor a result that comes late to one waits long.
   */
  private final Map<String, ReadPlan> readPlans = new ConcurrentHashMap<>();

  /** Blocks asked by reads so far. */
  private final java.util.concurrent.atomic.LongAdder blocksAsked =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Reads in a row that found nothing in a block before it counts as quiet: a block whose tasks run
   * one after another answers nothing now and then, and is not passed over for that.
   */
  private static final int QUIET_AFTER = 3;

  /** Quiet blocks asked again by each read, besides the others. */
  private static final int QUIET_PER_READ = 2;

  /** The fewest waiting blocks a read asks at the claim frontier. */
  private static final int FRONTIER_MIN = 2;

  private static final class ReadPlan {
    int window;

    int frontier = FRONTIER_MIN;

    /** Per block asked, how many reads in a row found nothing in it. */
    final Map<Long, Integer> emptyReads = new HashMap<>();

    /** Blocks known to have had something in flight when last asked; the others are waiting. */
    final Set<Long> inFlight = new HashSet<>();

    long nextQuiet;

    /** The quiet blocks, oldest first. */
    NavigableSet<Long> quiet() {
      NavigableSet<Long> quiet = new java.util.TreeSet<>();
      emptyReads.forEach(
          (index, reads) -> {
            if (reads >= QUIET_AFTER) {
              quiet.add(index);
            }
          });
      return quiet;
    }
  }

  /** A block's key as queued on one lane: a pipeline's block may have queued tasks on two. */
  private record LaneKey(Lane lane, BlockKey key) {}

  /** Keys of blocks with queued tasks found in no shard of their lane by the last audit. */
  private Set<LaneKey> suspects = Set.of();

  /**
   * @param hazelcast a member or a client whose config went through {@link LedgerSetup}
   * @param clockMillis the wall clock claims' deadlines are read from
   */
  public HazelcastTaskLedger(
      HazelcastInstance hazelcast,
      LedgerLayout layout,
      Duration claimTimeout,
      LongSupplier clockMillis) {
    this.hazelcast = requireNonNull(hazelcast, "hazelcast");
    this.layout = requireNonNull(layout, "layout");
    this.claimTimeout = requireNonNull(claimTimeout, "claimTimeout");
    this.clockMillis = requireNonNull(clockMillis, "clockMillis");
    this.blocks = hazelcast.getMap(LedgerSetup.BLOCKS);
    this.shards = new LaneShards(hazelcast, layout.shards());
  }

  @Override
  public void store(Lane lane, List<Lane> laterLanes, List<TaskChunk> tasks)
      throws InterruptedException {
    record Call(BlockOp.Add add, CompletableFuture<BlockOutcome> answer) {}
    Map<BlockKey, Call> calls = new LinkedHashMap<>();
    for (Map.Entry<BlockKey, List<TaskChunk>> block :
        layout.byBlock(tasks, TaskChunk::jobId, TaskChunk::seq).entrySet()) {
      BlockKey key = block.getKey();
      openOf(key.jobId()).add(key.index());
      BlockOp.Add add = new BlockOp.Add(lane, layout.firstSeqOf(key), block.getValue(), laterLanes);
      calls.put(key, new Call(add, submit(key, add)));
    }
    boolean offered = false;
    for (Map.Entry<BlockKey, Call> call : calls.entrySet()) {
      BlockKey key = call.getKey();
      BlockOp.Add add = call.getValue().add();
      BlockOutcome added;
      try {
        added = join(call.getValue().answer());
      } catch (RuntimeException e) {
        // Stored on the owner but perhaps not on its backups: an Add is safe to repeat, and its
        // repeat lands on whichever copy owns the block by then. It may find the tasks there and
        // so offer nothing; an earlier attempt that did offer the key is then the one that counts,
        // and the audit finds a key that was never offered.
        added = Redo.after(e, () -> join(submit(key, add)));
      }
      if (added.offer()) {
        shards.put(lane, key);
        offered = true;
      }
    }
    if (offered) {
      // A block whose key is in a shard already is found there; only a new key wakes claimers.
      shards.ring(lane);
    }
  }

  @Override
  public List<TaskChunk> claim(Lane lane, Claimant claimant, int max, Duration wait)
      throws InterruptedException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    long until = System.nanoTime() + wait.toNanos();
    while (true) {
      // Put-back tasks first: they are the oldest of their jobs. One key per sweep: a block whose
      // put-back tasks are for other members (broadcast) goes back, and must not be polled again
      // and again.
      BlockKey returned = shards.pollReturned(lane);
      if (returned != null) {
        List<TaskChunk> got = claimFrom(lane, returned, claimant, max, true);
        if (!got.isEmpty()) {
          return got;
        }
      }
      for (int shard : shards.sweepOrder(lane)) {
        BlockKey key = shards.poll(lane, shard);
        if (key == null) {
          continue;
        }
        List<TaskChunk> got = claimFrom(lane, key, claimant, max, false);
        if (!got.isEmpty()) {
          return got;
        }
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      shards.awaitBell(lane, Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, IDLE_SWEEP_MILLIS));
    }
  }

  /**
   * Claims up to {@code max} of the block's tasks queued on {@code lane}; while some stay queued,
   * offers its key again where it was taken from: the put-back queue ({@code returned}) or its
   * shard.
   */
  private List<TaskChunk> claimFrom(
      Lane lane, BlockKey key, Claimant claimant, int max, boolean returned) {
    BlockOutcome claimed =
        join(
            submit(
                key,
                new BlockOp.Claim(
                    claimant, max, clockMillis.getAsLong() + claimTimeout.toMillis(), lane)));
    if (claimed.queuedLeft() > 0) {
      if (returned) {
        shards.offerReturned(lane, key);
      } else {
        shards.offerBack(lane, key);
      }
    }
    return claimed.tasks();
  }

  @Override
  public int renew(Claimant claimant, Collection<TaskChunk> held) {
    Set<BlockKey> keys = new HashSet<>();
    for (TaskChunk task : held) {
      keys.add(layout.keyOf(task.jobId(), task.seq()));
    }
    if (keys.isEmpty()) {
      return 0;
    }
    BlockOp renew =
        new BlockOp(
            new BlockOp.Renew(
                claimant.memberUuid(), clockMillis.getAsLong() + claimTimeout.toMillis()));
    int renewed = 0;
    for (BlockOutcome outcome : blocks.executeOnKeys(keys, renew).values()) {
      renewed += outcome.count();
    }
    return renewed;
  }

  @Override
  public RecordOutcome record(List<TaskResult> results, List<TaskChunk> next) {
    Map<BlockKey, List<TaskResult>> byBlock =
        layout.byBlock(results, TaskResult::jobId, TaskResult::seq);
    Map<BlockKey, List<TaskChunk>> nextByBlock =
        next.isEmpty() ? Map.of() : layout.byBlock(next, TaskChunk::jobId, TaskChunk::seq);
    Map<BlockKey, CompletableFuture<BlockOutcome>> records = new LinkedHashMap<>();
    for (Map.Entry<BlockKey, List<TaskResult>> batch : byBlock.entrySet()) {
      records.put(
          batch.getKey(),
          submit(
              batch.getKey(),
              new BlockOp.Record(
                  batch.getValue(), nextByBlock.getOrDefault(batch.getKey(), List.of()))));
    }
    RecordOutcome outcome = RecordOutcome.NONE;
    Set<Lane> rung = new HashSet<>();
    for (Map.Entry<BlockKey, CompletableFuture<BlockOutcome>> record : records.entrySet()) {
      BlockOutcome done = join(record.getValue());
      for (Lane lane : done.lanes()) {
        // A pipeline's next stage queued where its lane had nothing of this block queued: nobody
        // else offers the key there.
        try {
          shards.put(lane, record.getKey());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          shards.offerBack(lane, record.getKey());
        }
        rung.add(lane);
      }
      // A record on a block that is gone comes back "drained": its job was forgotten.
      outcome =
          outcome.plus(
              done.drained()
                  ? new RecordOutcome(0, List.of(), done.duplicates())
                  : new RecordOutcome(done.count(), done.duplicates()));
    }
    rung.forEach(shards::ring);
    return outcome;
  }

  @Override
  public List<TaskResult> pending(String jobId, int max) {
    // Settling nothing changes nothing: the same read, one move for both.
    return settleThenPending(jobId, List.of(), max);
  }

  @Override
  public List<TaskResult> delivered(String jobId) {
    List<TaskResult> found = new ArrayList<>();
    for (BlockOutcome block : onBlocksOf(jobId, new BlockOp.Delivered()).values()) {
      found.addAll(block.results());
    }
    found.sort(java.util.Comparator.comparingLong(TaskResult::seq));
    return found;
  }

  @Override
  public List<TaskResult> settleThenPending(
      String jobId, Collection<TaskResult> delivered, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    requireOfJob(jobId, delivered);
    NavigableSet<Long> indexes = openOf(jobId);
    List<Long> seqs = new ArrayList<>(delivered.size());
    Set<BlockKey> keys = new HashSet<>();
    for (TaskResult result : delivered) {
      seqs.add(result.seq());
      keys.add(layout.keyOf(jobId, result.seq()));
    }
    ReadPlan plan = readPlans.computeIfAbsent(jobId, id -> new ReadPlan());
    Asking asked;
    int fewest = fewestBlocksFor(max);
    synchronized (plan) {
      asked =
          blocksToAsk(
              plan, indexes, Math.min(max, Math.clamp(plan.window, fewest, CONSUME_WINDOW)));
    }
    for (long index : asked.all()) {
      keys.add(layout.keyOf(jobId, index * layout.blockSize()));
    }
    if (keys.isEmpty()) {
      return List.of();
    }
    blocksAsked.add(keys.size());
    // Per block at most an even share of max, so the batch never passes it.
    BlockOp read = new BlockOp(new BlockOp.SettleThenPending(seqs, Math.max(1, max / keys.size())));
    Map<BlockKey, BlockOutcome> found;
    if (keys.size() == 1) {
      // One block (a small job, or its tail): a call on its key costs a fraction of a call over
      // partitions.
      BlockKey only = keys.iterator().next();
      found = Map.of(only, join(blocks.submitToKey(only, read).toCompletableFuture()));
    } else {
      found = blocks.executeOnKeys(keys, read);
    }
    List<TaskResult> results = new ArrayList<>();
    Set<Long> answered = new HashSet<>();
    Set<Long> busy = new HashSet<>();
    Set<Long> seen = new HashSet<>();
    for (long index : List.copyOf(indexes)) {
      BlockOutcome outcome = found.get(layout.keyOf(jobId, index * layout.blockSize()));
      if (outcome == null) {
        continue;
      }
      seen.add(index);
      results.addAll(outcome.results());
      if (!outcome.results().isEmpty()) {
        answered.add(index);
      }
      JobTally left = outcome.tally();
      if (left.claimed() > 0 || left.recorded() > outcome.results().size()) {
        busy.add(index);
      }
      if (outcome.drained() && left.stored() == layout.blockSize()) {
        indexes.remove(index);
      }
    }
    synchronized (plan) {
      seen.addAll(asked.all());
      for (long index : seen) {
        if (!indexes.contains(index)) {
          plan.emptyReads.remove(index);
          plan.inFlight.remove(index);
        } else if (busy.contains(index)) {
          if (plan.inFlight.add(index) || answered.contains(index)) {
            plan.emptyReads.remove(index);
          } else {
            plan.emptyReads.merge(index, 1, Integer::sum);
          }
        } else {
          // Nothing in flight: waiting for a claim, however many reads it takes.
          plan.inFlight.remove(index);
          plan.emptyReads.remove(index);
        }
      }
      plan.window =
          results.size() * 2 >= max
              ? Math.max(fewest, asked.all().size() / 2)
              : asked.all().size() * 2;
      long taken = asked.frontier().stream().filter(busy::contains).count();
      if (!asked.frontier().isEmpty() && taken == asked.frontier().size()) {
        plan.frontier = Math.min(CONSUME_WINDOW, plan.frontier * 2);
      } else if (taken * 2 < asked.frontier().size()) {
        plan.frontier = Math.max(FRONTIER_MIN, plan.frontier / 2);
      }
    }
    return results;
  }

  @Override
  public int settle(String jobId, Collection<TaskResult> delivered) {
    requireOfJob(jobId, delivered);
    Map<BlockKey, CompletableFuture<BlockOutcome>> calls = new LinkedHashMap<>();
    for (Map.Entry<BlockKey, List<Long>> block :
        layout.seqsByBlock(delivered, TaskResult::jobId, TaskResult::seq).entrySet()) {
      calls.put(block.getKey(), submit(block.getKey(), new BlockOp.Settle(block.getValue())));
    }
    NavigableSet<Long> indexes = openOf(jobId);
    int settled = 0;
    for (Map.Entry<BlockKey, CompletableFuture<BlockOutcome>> call : calls.entrySet()) {
      BlockOutcome outcome = join(call.getValue());
      settled += outcome.count();
      if (outcome.drained() && outcome.tally().stored() == layout.blockSize()) {
        indexes.remove(call.getKey().index());
      }
    }
    return settled;
  }

  @Override
  public int release(Claimant claimant, Collection<TaskChunk> tasks) {
    int released = 0;
    Set<Lane> lanes = new HashSet<>();
    for (Map.Entry<BlockKey, List<Long>> block :
        layout.seqsByBlock(tasks, TaskChunk::jobId, TaskChunk::seq).entrySet()) {
      BlockOutcome outcome =
          join(
              submit(block.getKey(), new BlockOp.Release(claimant.memberUuid(), block.getValue())));
      if (outcome.count() > 0) {
        released += outcome.count();
        for (Lane lane : outcome.lanes()) {
          shards.offerBack(lane, block.getKey());
          lanes.add(lane);
        }
      }
    }
    lanes.forEach(shards::ring);
    return released;
  }

  /** Blocks asked by this ledger's reads so far: each is an entry processor call. */
  long blocksAsked() {
    return blocksAsked.sum();
  }

  /** What a read asks: {@code all} its blocks, of which {@code frontier} were waiting. */
  private record Asking(List<Long> all, List<Long> frontier) {}

  /**
   * The blocks of {@code open} a read asks: the oldest in flight that were not quiet the last time
   * they were asked, up to {@code asking}, then, while there is room, the oldest quiet ones; the
   * oldest waiting ones at the claim frontier; and besides, the next {@link #QUIET_PER_READ} quiet
   * or waiting ones in turn.
   */
  private static Asking blocksToAsk(ReadPlan plan, NavigableSet<Long> open, int asking) {
    plan.emptyReads.keySet().retainAll(open);
    plan.inFlight.retainAll(open);
    NavigableSet<Long> quiet = plan.quiet();
    Set<Long> asked = new java.util.LinkedHashSet<>();
    Set<Long> frontier = new java.util.LinkedHashSet<>();
    for (long index : open) {
      if (asked.size() >= asking && frontier.size() >= plan.frontier) {
        break;
      }
      if (!plan.inFlight.contains(index)) {
        if (frontier.size() < plan.frontier) {
          frontier.add(index);
        }
      } else if (!quiet.contains(index) && asked.size() < asking) {
        asked.add(index);
      }
    }
    for (long index : quiet) {
      if (asked.size() >= asking) {
        break;
      }
      asked.add(index);
    }
    asked.addAll(frontier);
    // In turn: the quiet blocks and the waiting ones past the frontier.
    int more = 0;
    for (NavigableSet<Long> part :
        List.of(open.tailSet(plan.nextQuiet, true), open.headSet(plan.nextQuiet, false))) {
      for (long index : part) {
        if (more >= QUIET_PER_READ) {
          break;
        }
        boolean slow = quiet.contains(index) || !plan.inFlight.contains(index);
        if (slow && asked.add(index)) {
          more++;
          plan.nextQuiet = index + 1;
        }
      }
    }
    return new Asking(List.copyOf(asked), List.copyOf(frontier));
  }

  /** The fewest blocks a read of {@code max} results asks: twice what they would fill. */
  private int fewestBlocksFor(int max) {
    return Math.max(2, 2 * Math.ceilDiv(max, layout.blockSize()));
  }

  private static void requireOfJob(String jobId, Collection<TaskResult> results) {
    for (TaskResult result : results) {
      if (!result.jobId().equals(jobId)) {
        throw new IllegalArgumentException("result " + result.taskId() + " is not of job " + jobId);
      }
    }
  }

  /** A job's blocks not drained yet, read from the cluster (a submitter that resumes a job). */
  private NavigableSet<Long> findOpen(String jobId) {
    NavigableSet<Long> indexes = new ConcurrentSkipListSet<>();
    for (Map.Entry<BlockKey, BlockOutcome> block :
        onBlocksOf(jobId, new BlockOp.Probe()).entrySet()) {
      BlockOutcome probe = block.getValue();
      if (!(probe.drained() && probe.count() == layout.blockSize())) {
        indexes.add(block.getKey().index());
      }
    }
    return indexes;
  }

  /**
   * The job's open blocks as this ledger knows them, read from the cluster the first time: a
   * submitter that resumes a job stores after the blocks an earlier one left.
   */
  private NavigableSet<Long> openOf(String jobId) {
    return open.computeIfAbsent(jobId, this::findOpen);
  }

  @Override
  public PutBacks putBack(Loss loss) {
    Map<BlockKey, BlockOutcome> back =
        blocks.executeOnEntries(
            new BlockOp(new BlockOp.PutBack(loss, clockMillis.getAsLong())), ActiveBlocks.ONLY);
    PutBacks count = PutBacks.NONE;
    Set<Lane> lanes = new HashSet<>();
    for (Map.Entry<BlockKey, BlockOutcome> block : back.entrySet()) {
      count = count.plus(block.getValue().holders());
      for (Lane lane : block.getValue().lanes()) {
        lanes.add(lane);
        shards.offerReturned(lane, block.getKey());
        shards.offerBack(lane, block.getKey());
      }
    }
    lanes.forEach(shards::ring);
    return count;
  }

  @Override
  public synchronized int audit() {
    removeForeignKeys();
    Map<BlockKey, BlockOutcome> probes =
        blocks.executeOnEntries(new BlockOp(new BlockOp.Probe()), ActiveBlocks.ONLY);
    Set<LaneKey> nowhere = new HashSet<>();
    for (Map.Entry<BlockKey, BlockOutcome> probe : probes.entrySet()) {
      for (Lane lane : probe.getValue().lanes()) {
        nowhere.add(new LaneKey(lane, probe.getKey()));
      }
    }
    for (Lane lane : Lane.values()) {
      for (BlockKey key : shards.keys(lane)) {
        nowhere.remove(new LaneKey(lane, key));
      }
    }
    int offered = 0;
    Set<LaneKey> again = new HashSet<>();
    for (LaneKey missing : nowhere) {
      if (suspects.contains(missing)) {
        shards.offerBack(missing.lane(), missing.key());
        shards.ring(missing.lane());
        offered++;
      } else {
        again.add(missing);
      }
    }
    suspects = again;
    if (offered > 0) {
      log.warn(
          "{} blocks had queued tasks but were in no lane shard (a claimer died between its poll"
              + " and its claim, or a storer before offering): offered them again",
          offered);
    }
    return offered;
  }

  @Override
  public JobTally tally(String jobId) {
    JobTally tally = JobTally.EMPTY;
    for (BlockOutcome probe : onBlocksOf(jobId, new BlockOp.Probe()).values()) {
      tally = tally.plus(probe.tally());
    }
    return tally;
  }

  @Override
  public Map<String, JobTally> tallies() {
    return byJob(blocks.executeOnEntries(new BlockOp(new BlockOp.Probe())));
  }

  @Override
  public Map<String, JobTally> activeTallies() {
    return byJob(blocks.executeOnEntries(new BlockOp(new BlockOp.Probe()), ActiveBlocks.ONLY));
  }

  /** The probed blocks' tallies summed per job. */
  private static Map<String, JobTally> byJob(Map<BlockKey, BlockOutcome> probes) {
    Map<String, JobTally> tallies = new java.util.HashMap<>();
    for (Map.Entry<BlockKey, BlockOutcome> probe : probes.entrySet()) {
      tallies.merge(probe.getKey().jobId(), probe.getValue().tally(), JobTally::plus);
    }
    return tallies;
  }

  @Override
  public void forget(String jobId) {
    blocks.removeAll(LedgerKeys.ofJob(jobId));
    open.remove(jobId);
    readPlans.remove(jobId);
  }

  /**
   * A new job's blocks are known to this ledger from the first: it stores them all. (Otherwise its
   * first store looked for earlier blocks of the job: a scan of every partition, 8 ms of a 48 ms
   * first result on a loaded 2-core machine.)
   */
  @Override
  public void newJob(String jobId) {
    open.putIfAbsent(jobId, new ConcurrentSkipListSet<>());
  }

  @Override
  public void doneReading(String jobId) {
    open.remove(jobId);
    readPlans.remove(jobId);
  }

  /** Jobs whose reading state this ledger keeps (for tests). */
  int jobsKept() {
    return Math.max(open.size(), readPlans.size());
  }

  /** {@code move} on every block of job {@code jobId}. */
  private Map<BlockKey, BlockOutcome> onBlocksOf(String jobId, BlockOp.Move move) {
    return blocks.executeOnEntries(new BlockOp(move), LedgerKeys.ofJob(jobId));
  }

  /** Removes the entries whose keys are not block keys (put there by someone else). */
  private void removeForeignKeys() {
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) (IMap<?, ?>) blocks;
    @SuppressWarnings({"unchecked", "rawtypes"})
    Set<Object> foreign = raw.keySet((Predicate) LedgerKeys.foreign());
    for (Object key : foreign) {
      raw.delete(key);
    }
    if (!foreign.isEmpty()) {
      log.warn(
          "removed {} entries of the task ledger whose keys were not Crew's block keys (put there"
              + " by someone else)",
          foreign.size());
    }
  }

  private CompletableFuture<BlockOutcome> submit(BlockKey key, BlockOp.Move move) {
    return blocks.submitToKey(key, new BlockOp(move)).toCompletableFuture();
  }

  private static BlockOutcome join(CompletableFuture<BlockOutcome> call) {
    try {
      return call.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the ledger was answering", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
