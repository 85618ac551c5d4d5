package dev.crew.client;

import dev.crew.common.ClusterSecret;
import dev.crew.common.JobSigner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a cluster is and how to prove membership of it: its name, members to connect to, the
 * cluster secret that signs jobs, and how long to try. Immutable; its text form never shows the
 * secret.
 */
public final class Connection {
  /** How long {@link CrewClient#connect} tries by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final String cluster;
  private final List<String> addresses;
  private final Duration timeout;
  private final @Nullable JobSigner signer;

  private Connection(
      String cluster, List<String> addresses, Duration timeout, @Nullable JobSigner signer) {
    if (cluster.isBlank()) {
      throw new IllegalArgumentException("the cluster name is blank");
    }
    List<String> trimmed = addresses.stream().map(String::trim).filter(a -> !a.isEmpty()).toList();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("no member to connect to: give at least one HOST[:PORT]");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the connect timeout must be more than 0");
    }
    this.cluster = cluster;
    this.addresses = trimmed;
    this.timeout = timeout;
    this.signer = signer;
  }

  /**
   * The cluster {@code cluster} at {@code addresses}, without a secret.
   *
   * @param cluster the cluster's name (the workers' {@code --cluster})
   * @param addresses members to try, each {@code HOST} or {@code HOST:PORT}
   * @return the connection
   */
  public static Connection to(String cluster, String... addresses) {
    return new Connection(cluster, Arrays.asList(addresses), DEFAULT_TIMEOUT, null);
  }

  /**
   * What the command line would use: {@code CREW_CLUSTER} (default {@code crew}), {@code
   * CREW_CONNECT} (comma-separated, default {@code 127.0.0.1}), and the secret in the file {@code
   * CREW_SECRET_FILE} names or in {@code CREW_SECRET}.
   *
   * @return the connection the environment describes
   */
  public static Connection fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static Connection fromEnvironment(Map<String, String> env) {
    String cluster = env.getOrDefault("CREW_CLUSTER", "crew");
    String connect = env.getOrDefault("CREW_CONNECT", "127.0.0.1");
    Optional<JobSigner> signer =
        ClusterSecret.load(env.get("CREW_SECRET_FILE"), env.get("CREW_SECRET"));
    return new Connection(
        cluster, Arrays.asList(connect.split(",")), DEFAULT_TIMEOUT, signer.orElse(null));
  }

  /**
   * This connection signing jobs with {@code secret}, the workers' cluster secret.
   *
   * @param secret the secret itself
   * @return a new connection
   */
  public Connection withSecret(String secret) {
    if (secret.isBlank()) {
      throw new IllegalArgumentException("the secret is blank");
    }
    return new Connection(cluster, addresses, timeout, JobSigner.of(secret));
  }

  /**
   * This connection signing jobs with the secret held in {@code file}.
   *
   * @param file a file holding the secret (surrounding white space is ignored)
   * @return a new connection
   * @throws IllegalArgumentException if the file cannot be read or is empty
   */
  public Connection withSecretFile(Path file) {
    return new Connection(
        cluster, addresses, timeout, ClusterSecret.load(file.toString(), null).orElseThrow());
  }

  /**
   * This connection giving up after {@code timeout} if no member answers.
   *
   * @param timeout more than 0
   * @return a new connection
   */
  public Connection withTimeout(Duration timeout) {
    return new Connection(cluster, addresses, timeout, signer);
  }

  /**
   * The cluster's name.
   *
   * @return the name
   */
  public String cluster() {
    return cluster;
  }

  /**
   * The members to try.
   *
   * @return {@code HOST} or {@code HOST:PORT} each
   */
  public List<String> addresses() {
    return addresses;
  }

  /**
   * How long to try.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  Optional<JobSigner> signer() {
    return Optional.ofNullable(signer);
  }

  @Override
  public String toString() {
    return "cluster '"
        + cluster
        + "' at "
        + String.join(",", addresses)
        + (signer == null ? " (no secret)" : " (with a secret)");
  }
}
