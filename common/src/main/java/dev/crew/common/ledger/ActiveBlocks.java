package dev.crew.common.ledger;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.query.Predicate;
import java.util.Map;

/**
 * The entries of the task ledger's map that are blocks with a task not yet consumed ({@link
 * TaskBlock#active()}): what a put back, the audit and the active tallies are about. The blocks map
 * keeps its values as objects, so this looks at each block where it is, deserializes no key, and
 * runs no entry processor on the drained blocks of every job the cluster keeps. With 40 finished
 * jobs of 20,000 one-item tasks kept (12,500 blocks), the tallies of every block took 136-337 ms,
 * both partition threads busy and claims and records waiting meanwhile, and those of the active
 * blocks 20-37 ms. A value that is not a block (put there by someone else) does not match.
 *
 * <p>Not a query through an index on the attribute, which was tried: in the ledger's tests it
 * missed blocks whose state had moved (a put back found half the claims), and the index refused at
 * the put any value without the attribute.
 *
 * @param active always true: a predicate of no fields is not a Compact type
 */
record ActiveBlocks(boolean active) implements Predicate<BlockKey, TaskBlock> {

  static final ActiveBlocks ONLY = new ActiveBlocks(true);

  @Override
  public boolean apply(Map.Entry<BlockKey, TaskBlock> entry) {
    Map.Entry<?, ?> any = entry;
    return any.getValue() instanceof TaskBlock block && block.active();
  }

  static final class Codec implements CompactSerializer<ActiveBlocks> {
    @Override
    public ActiveBlocks read(CompactReader in) {
      return ONLY;
    }

    @Override
    public void write(CompactWriter out, ActiveBlocks blocks) {
      out.writeBoolean("active", true);
    }

    @Override
    public String getTypeName() {
      return "crew.ledger.ActiveBlocks";
    }

    @Override
    public Class<ActiveBlocks> getCompactClass() {
      return ActiveBlocks.class;
    }
  }
}
