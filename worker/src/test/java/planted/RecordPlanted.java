package planted;

/** A record Hazelcast would build through its canonical constructor from its name. */
public record RecordPlanted(String payload) {
  public RecordPlanted {
    Instantiations.made(this);
  }
}
