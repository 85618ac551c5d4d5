package dev.crew.client.job;

/** Shows how far a job has got while it runs. */
public interface Progress extends AutoCloseable {

  Progress NONE =
      new Progress() {
        @Override
        public void total(long items) {}

        @Override
        public void advance(long items) {}

        @Override
        public void close() {}
      };

  /** The input's size, once known. */
  void total(long items);

  /** {@code items} more are done. */
  void advance(long items);

  @Override
  void close();
}
