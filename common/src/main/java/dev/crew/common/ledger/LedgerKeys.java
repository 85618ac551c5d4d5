package dev.crew.common.ledger;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.query.Predicate;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which entries of the task ledger's map a query is about, told by their keys: the blocks of one
 * job, or the entries whose key is not a block key at all. Anyone who reaches the cluster can put
 * such a key in the map; a query by the key's {@code jobId} attribute then fails as a whole (and
 * the member logs its stack trace), where this one passes over it.
 *
 * @param jobId the job whose blocks match; {@code null}: the keys that are not block keys match
 */
record LedgerKeys(@Nullable String jobId) implements Predicate<BlockKey, TaskBlock> {

  static LedgerKeys ofJob(String jobId) {
    return new LedgerKeys(java.util.Objects.requireNonNull(jobId, "jobId"));
  }

  static LedgerKeys foreign() {
    return new LedgerKeys(null);
  }

  @Override
  public boolean apply(Map.Entry<BlockKey, TaskBlock> entry) {
    Map.Entry<?, ?> any = entry;
    Object key;
    try {
      key = any.getKey();
    } catch (RuntimeException e) {
      // A key that does not deserialize: a type Crew does not know, or refused.
      return jobId == null;
    }
    if (!(key instanceof BlockKey block)) {
      return jobId == null;
    }
    return block.jobId().equals(jobId);
  }

  static final class Codec implements CompactSerializer<LedgerKeys> {
    @Override
    public LedgerKeys read(CompactReader in) {
      return new LedgerKeys(in.readString("jobId"));
    }

    @Override
    public void write(CompactWriter out, LedgerKeys keys) {
      out.writeString("jobId", keys.jobId());
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.LedgerKeys";
    }

    @Override
    public Class<LedgerKeys> getCompactClass() {
      return LedgerKeys.class;
    }
  }
}
