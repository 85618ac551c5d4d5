package planted;

/** A class Hazelcast's zero-config Compact serializer would make from its name. */
public final class CompactPlanted {
  @SuppressWarnings("unused")
  private String payload;

  public CompactPlanted() {
    Instantiations.made(this);
  }
}
