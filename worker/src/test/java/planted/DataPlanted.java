package planted;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

/** A DataSerializable that Hazelcast would instantiate by its class name, then let read itself. */
public final class DataPlanted implements DataSerializable {
  public DataPlanted() {
    Instantiations.made(this);
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {
    Instantiations.made(this);
  }
}
