package dev.crew.common.ledger;

import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskState.Claimed;
import dev.crew.common.ledger.TaskState.Consumed;
import dev.crew.common.ledger.TaskState.Queued;
import dev.crew.common.ledger.TaskState.Recorded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compact serializers of the ledger's keys, blocks, moves and outcomes. A block's slots are written
 * as columns (a kind per slot, then the fields of each kind in slot order), so no array mixes types
 * and none holds nulls. {@link TaskChunk} and {@link TaskResult} are written with the serializers
 * {@code CompactCodecs} registers.
 */
final class LedgerCodecs {
  private static final byte QUEUED = 0;
  private static final byte CLAIMED = 1;
  private static final byte RECORDED = 2;
  private static final byte CONSUMED = 3;

  private LedgerCodecs() {}

  static void register(CompactSerializationConfig config) {
    config.addSerializer(new BlockKeyCodec());
    config.addSerializer(new TaskBlockCodec());
    config.addSerializer(new BlockOpCodec());
    config.addSerializer(new BlockOutcomeCodec());
    config.addSerializer(new LedgerKeys.Codec());
    config.addSerializer(new ActiveBlocks.Codec());
  }

  static final class BlockKeyCodec implements CompactSerializer<BlockKey> {
    @Override
    public BlockKey read(CompactReader in) {
      return new BlockKey(in.readString("jobId"), in.readInt64("index"), in.readInt32("shard"));
    }

    @Override
    public void write(CompactWriter out, BlockKey key) {
      out.writeString("jobId", key.jobId());
      out.writeInt64("index", key.index());
      out.writeInt32("shard", key.shard());
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.BlockKey";
    }

    @Override
    public Class<BlockKey> getCompactClass() {
      return BlockKey.class;
    }
  }

  /** The lanes in a record's {@code lanes} field; none where it has no such field. */
  private static List<Lane> lanes(CompactReader in) {
    String[] ids =
        in.getFieldKind("lanes") == FieldKind.ARRAY_OF_STRING
            ? in.readArrayOfString("lanes")
            : null;
    if (ids == null) {
      return List.of();
    }
    List<Lane> lanes = new ArrayList<>(ids.length);
    for (String id : ids) {
      lanes.add(Lane.parse(id));
    }
    return lanes;
  }

  private static List<Long> waitingAt(CompactReader in) {
    long[] counts =
        in.getFieldKind("waitingAt") == FieldKind.ARRAY_OF_INT64
            ? in.readArrayOfInt64("waitingAt")
            : null;
    return counts == null ? List.of() : Arrays.stream(counts).boxed().toList();
  }

  private static String[] ids(List<Lane> lanes) {
    return lanes.stream().map(Lane::id).toArray(String[]::new);
  }

  static final class TaskBlockCodec implements CompactSerializer<TaskBlock> {
    @Override
    public TaskBlock read(CompactReader in) {
      byte[] kinds = in.readArrayOfInt8("kinds");
      TaskChunk[] tasks = in.readArrayOfCompact("tasks", TaskChunk.class);
      String[] workers = in.readArrayOfString("workers");
      String[] members = in.readArrayOfString("members");
      long[] deadlines = in.readArrayOfInt64("deadlines");
      TaskResult[] results = in.readArrayOfCompact("results", TaskResult.class);
      int[] oks = in.readArrayOfInt32("oks");
      int[] fails = in.readArrayOfInt32("fails");
      long[] ends = in.readArrayOfInt64("ends");
      int[] recordings = in.readArrayOfInt32("recordings");
      List<TaskState> slots = new ArrayList<>(kinds.length);
      int task = 0;
      int claim = 0;
      int result = 0;
      int count = 0;
      for (byte kind : kinds) {
        slots.add(
            switch (kind) {
              case QUEUED -> new Queued(tasks[task++]);
              case CLAIMED ->
                  new Claimed(tasks[task++], workers[claim], members[claim], deadlines[claim++]);
              case RECORDED -> new Recorded(results[result++]);
              case CONSUMED ->
                  new Consumed(oks[count], fails[count], ends[count], recordings[count++]);
              default -> throw new IllegalStateException("unknown task state " + kind);
            });
      }
      return new TaskBlock(
          in.readString("jobId"),
          Lane.parse(in.readString("lane")),
          in.readInt64("firstSeq"),
          slots,
          lanes(in));
    }

    @Override
    public void write(CompactWriter out, TaskBlock block) {
      int size = block.slots().size();
      byte[] kinds = new byte[size];
      List<TaskChunk> tasks = new ArrayList<>();
      List<String> workers = new ArrayList<>();
      List<String> members = new ArrayList<>();
      long[] deadlines = new long[size];
      List<TaskResult> results = new ArrayList<>();
      int[] oks = new int[size];
      int[] fails = new int[size];
      long[] ends = new long[size];
      int[] recordings = new int[size];
      int counts = 0;
      for (int i = 0; i < size; i++) {
        switch (block.slots().get(i)) {
          case Queued q -> {
            kinds[i] = QUEUED;
            tasks.add(q.task());
          }
          case Claimed c -> {
            kinds[i] = CLAIMED;
            tasks.add(c.task());
            deadlines[workers.size()] = c.deadlineMillis();
            workers.add(c.worker());
            members.add(c.memberUuid());
          }
          case Recorded r -> {
            kinds[i] = RECORDED;
            results.add(r.result());
          }
          case Consumed c -> {
            kinds[i] = CONSUMED;
            oks[counts] = c.ok();
            fails[counts] = c.failed();
            ends[counts] = c.end();
            recordings[counts++] = c.recording();
          }
        }
      }
      out.writeString("jobId", block.jobId());
      out.writeString("lane", block.lane().id());
      out.writeArrayOfString("lanes", ids(block.laterLanes()));
      out.writeInt64("firstSeq", block.firstSeq());
      out.writeArrayOfInt8("kinds", kinds);
      out.writeArrayOfCompact("tasks", tasks.toArray(TaskChunk[]::new));
      out.writeArrayOfString("workers", workers.toArray(String[]::new));
      out.writeArrayOfString("members", members.toArray(String[]::new));
      out.writeArrayOfInt64("deadlines", Arrays.copyOf(deadlines, workers.size()));
      out.writeArrayOfCompact("results", results.toArray(TaskResult[]::new));
      out.writeArrayOfInt32("oks", Arrays.copyOf(oks, counts));
      out.writeArrayOfInt32("fails", Arrays.copyOf(fails, counts));
      out.writeArrayOfInt64("ends", Arrays.copyOf(ends, counts));
      out.writeArrayOfInt32("recordings", Arrays.copyOf(recordings, counts));
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.TaskBlock";
    }

    @Override
    public Class<TaskBlock> getCompactClass() {
      return TaskBlock.class;
    }
  }

  /** Every move is written with every field (empty where unused), so all share one schema. */
  static final class BlockOpCodec implements CompactSerializer<BlockOp> {
    @Override
    public BlockOp read(CompactReader in) {
      String kind = in.readString("move");
      String text = in.readString("text");
      String member = in.readString("member");
      long number = in.readInt64("number");
      int max = in.readInt32("max");
      List<TaskChunk> tasks = List.of(in.readArrayOfCompact("tasks", TaskChunk.class));
      List<TaskResult> results = List.of(in.readArrayOfCompact("results", TaskResult.class));
      long millis = in.readInt64("millis");
      List<Long> seqs = new java.util.ArrayList<>();
      for (long seq : in.readArrayOfInt64("seqs")) {
        seqs.add(seq);
      }
      List<Lane> lanes = lanes(in);
      BlockOp.Move move =
          switch (kind) {
            case "add" -> new BlockOp.Add(Lane.parse(text), number, tasks, lanes);
            case "claim" ->
                new BlockOp.Claim(
                    new Claimant(text, member),
                    max,
                    millis,
                    lanes.isEmpty() ? null : lanes.getFirst());
            case "renew" -> new BlockOp.Renew(member, millis);
            case "record" -> new BlockOp.Record(results, tasks);
            case "settle" -> new BlockOp.Settle(seqs);
            case "settle-pending" -> new BlockOp.SettleThenPending(seqs, max);
            case "release" -> new BlockOp.Release(member, seqs);
            case "left" -> new BlockOp.PutBack(new Loss.MemberLeft(member), millis);
            case "departed" ->
                new BlockOp.PutBack(
                    new Loss.Departed(java.util.Set.of(in.readArrayOfString("names"))), millis);
            case "expired" ->
                new BlockOp.PutBack(
                    new Loss.ClaimsExpired(member, java.util.Set.of(in.readArrayOfString("names"))),
                    millis);
            case "probe" -> new BlockOp.Probe();
            case "delivered" -> new BlockOp.Delivered();
            default -> throw new IllegalStateException("unknown ledger move " + kind);
          };
      return new BlockOp(move);
    }

    @Override
    public void write(CompactWriter out, BlockOp op) {
      String kind;
      String text = "";
      String member = "";
      long number = 0;
      int max = 0;
      List<TaskChunk> tasks = List.of();
      List<TaskResult> results = List.of();
      long millis = 0;
      List<Long> seqs = List.of();
      java.util.Collection<String> names = List.of();
      List<Lane> lanes = List.of();
      switch (op.move()) {
        case BlockOp.Add add -> {
          kind = "add";
          text = add.lane().id();
          number = add.firstSeq();
          tasks = add.tasks();
          lanes = add.laterLanes();
        }
        case BlockOp.Claim claim -> {
          kind = "claim";
          text = claim.claimant().worker();
          member = claim.claimant().memberUuid();
          max = claim.max();
          millis = claim.deadlineMillis();
          lanes = claim.lane() == null ? List.of() : List.of(claim.lane());
        }
        case BlockOp.Renew renew -> {
          kind = "renew";
          member = renew.memberUuid();
          millis = renew.deadlineMillis();
        }
        case BlockOp.Record record -> {
          kind = "record";
          results = record.results();
          tasks = record.next();
        }
        case BlockOp.Settle settle -> {
          kind = "settle";
          seqs = settle.seqs();
        }
        case BlockOp.SettleThenPending read -> {
          kind = "settle-pending";
          seqs = read.seqs();
          max = read.max();
        }
        case BlockOp.Release release -> {
          kind = "release";
          member = release.memberUuid();
          seqs = release.seqs();
        }
        case BlockOp.PutBack putBack -> {
          millis = putBack.nowMillis();
          switch (putBack.loss()) {
            case Loss.MemberLeft left -> {
              kind = "left";
              member = left.memberUuid();
            }
            case Loss.Departed departed -> {
              kind = "departed";
              names = departed.members();
            }
            case Loss.ClaimsExpired expired -> {
              kind = "expired";
              member = expired.memberUuid();
              names = expired.running();
            }
          }
        }
        case BlockOp.Probe probe -> kind = "probe";
        case BlockOp.Delivered delivered -> kind = "delivered";
      }
      out.writeString("move", kind);
      out.writeString("text", text);
      out.writeString("member", member);
      out.writeInt64("number", number);
      out.writeInt32("max", max);
      out.writeArrayOfCompact("tasks", tasks.toArray(TaskChunk[]::new));
      out.writeArrayOfCompact("results", results.toArray(TaskResult[]::new));
      out.writeInt64("millis", millis);
      out.writeArrayOfInt64("seqs", seqs.stream().mapToLong(Long::longValue).toArray());
      out.writeArrayOfString("names", names.toArray(String[]::new));
      out.writeArrayOfString("lanes", ids(lanes));
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.BlockOp";
    }

    @Override
    public Class<BlockOp> getCompactClass() {
      return BlockOp.class;
    }
  }

  static final class BlockOutcomeCodec implements CompactSerializer<BlockOutcome> {
    @Override
    public BlockOutcome read(CompactReader in) {
      return new BlockOutcome(
          in.readInt32("count"),
          in.readInt32("queuedLeft"),
          in.readBoolean("offer"),
          in.readBoolean("drained"),
          List.of(in.readArrayOfCompact("tasks", TaskChunk.class)),
          List.of(in.readArrayOfCompact("results", TaskResult.class)),
          List.of(in.readArrayOfString("duplicates")),
          new JobTally(
              in.readInt64("queued"),
              in.readInt64("claimed"),
              in.readInt64("recorded"),
              in.readInt64("consumed"),
              in.readInt64("unreadOk"),
              in.readInt64("unreadFailed"),
              in.readInt64("unreadBytes"),
              in.readInt64("itemsOk"),
              in.readInt64("itemsFailed"),
              in.readInt64("lastSeq"),
              in.readInt64("lastEnd"),
              waitingAt(in)),
          List.of(in.readArrayOfString("holders")),
          lanes(in));
    }

    @Override
    public void write(CompactWriter out, BlockOutcome outcome) {
      out.writeInt32("count", outcome.count());
      out.writeInt32("queuedLeft", outcome.queuedLeft());
      out.writeBoolean("offer", outcome.offer());
      out.writeBoolean("drained", outcome.drained());
      out.writeArrayOfCompact("tasks", outcome.tasks().toArray(TaskChunk[]::new));
      out.writeArrayOfCompact("results", outcome.results().toArray(TaskResult[]::new));
      out.writeArrayOfString("duplicates", outcome.duplicates().toArray(String[]::new));
      out.writeInt64("queued", outcome.tally().queued());
      out.writeInt64("claimed", outcome.tally().claimed());
      out.writeInt64("recorded", outcome.tally().recorded());
      out.writeInt64("consumed", outcome.tally().consumed());
      out.writeInt64("unreadOk", outcome.tally().unreadOk());
      out.writeInt64("unreadFailed", outcome.tally().unreadFailed());
      out.writeInt64("unreadBytes", outcome.tally().unreadBytes());
      out.writeInt64("itemsOk", outcome.tally().itemsOk());
      out.writeInt64("itemsFailed", outcome.tally().itemsFailed());
      out.writeInt64("lastSeq", outcome.tally().lastSeq());
      out.writeInt64("lastEnd", outcome.tally().lastEnd());
      out.writeArrayOfInt64(
          "waitingAt", outcome.tally().waitingAt().stream().mapToLong(Long::longValue).toArray());
      out.writeArrayOfString("holders", outcome.holders().toArray(String[]::new));
      out.writeArrayOfString("lanes", ids(outcome.lanes()));
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.BlockOutcome";
    }

    @Override
    public Class<BlockOutcome> getCompactClass() {
      return BlockOutcome.class;
    }
  }
}
