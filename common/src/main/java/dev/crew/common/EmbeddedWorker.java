package dev.crew.common;

import com.hazelcast.core.HazelcastInstance;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A worker running inside this JVM, the only member of a private cluster on loopback: what {@code
 * coordinator run} and the client library's embedded mode run jobs on. The worker module provides
 * the {@link Factory} (found with {@link java.util.ServiceLoader}), so a program that never embeds
 * a worker needs no worker classes.
 */
public interface EmbeddedWorker extends AutoCloseable {

  /** The worker's member, to run jobs through. */
  HazelcastInstance hazelcast();

  /** Stops the worker and its private cluster. */
  @Override
  void close();

  /**
   * The options that point a {@code coordinator} command at this worker: {@code --connect}, {@code
   * --cluster} and {@code --secret-file secretFile} (the file holding the secret it was started
   * with).
   */
  default List<String> coordinatorOptions(Path secretFile) {
    var address = hazelcast().getCluster().getLocalMember().getAddress();
    return List.of(
        "--connect",
        address.getHost() + ":" + address.getPort(),
        "--cluster",
        hazelcast().getConfig().getClusterName(),
        "--secret-file",
        secretFile.toString());
  }

  /**
   * Starts a worker in this JVM with the first {@link Factory} that {@code loader} finds, or that
   * this class's loader finds.
   *
   * @throws IllegalStateException if there is none: the program lacks the crew-worker jar
   * @throws IllegalArgumentException if a number is out of range
   */
  static EmbeddedWorker start(
      int cpuThreads, int ioConcurrency, JobSigner signer, TaskCatalog tasks, ClassLoader loader) {
    for (Factory factory : ServiceLoader.load(Factory.class, loader)) {
      return factory.start(cpuThreads, ioConcurrency, signer, tasks);
    }
    for (Factory factory :
        ServiceLoader.load(Factory.class, EmbeddedWorker.class.getClassLoader())) {
      return factory.start(cpuThreads, ioConcurrency, signer, tasks);
    }
    throw new IllegalStateException(
        "an embedded worker needs the crew-worker jar (dev.crew:crew-worker) on the class path");
  }

  /** Starts embedded workers. */
  interface Factory {
    /**
     * Starts a worker that uses {@code cpuThreads} threads on its CPU lane and keeps at most {@code
     * ioConcurrency} items in flight on its I/O lane ({@link IoConcurrency#AUTO}: a limit that
     * adapts), runs only jobs signed by {@code signer}, and offers the tasks {@code tasks} lists.
     * Its cluster takes no other member, and it may run commands: they run as the user of this
     * process.
     *
     * @throws IllegalArgumentException if a number is out of range
     */
    EmbeddedWorker start(int cpuThreads, int ioConcurrency, JobSigner signer, TaskCatalog tasks);
  }
}
