package dev.crew.coordinator;

import static picocli.CommandLine.ScopeType.INHERIT;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ClusterSecret;
import dev.crew.common.Durations;
import dev.crew.common.JobSigner;
import dev.crew.common.LogFormat;
import dev.crew.common.Sealer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How to reach the cluster: accepted before or after the subcommand, each with an environment
 * default.
 */
final class ClusterOptions {

  @Option(
      names = "--connect",
      split = ",",
      paramLabel = "HOST[:PORT]",
      scope = INHERIT,
      defaultValue = "${env:CREW_CONNECT:-127.0.0.1}",
      description =
          "Cluster members to connect to, comma-separated (env CREW_CONNECT, default ${DEFAULT-VALUE}).")
  List<String> connect;

  @Option(
      names = "--cluster",
      paramLabel = "NAME",
      scope = INHERIT,
      defaultValue = "${env:CREW_CLUSTER:-crew}",
      description = "Cluster name (env CREW_CLUSTER, default ${DEFAULT-VALUE}).")
  String cluster;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      scope = INHERIT,
      defaultValue = "${env:CREW_CONNECT_TIMEOUT:-5s}",
      description =
          "Give up connecting after this long (env CREW_CONNECT_TIMEOUT, default ${DEFAULT-VALUE}).")
  String connectTimeout;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      scope = INHERIT,
      defaultValue = "${env:CREW_SECRET_FILE}",
      description =
          "File holding the cluster secret that signs jobs (env CREW_SECRET_FILE, or the secret in CREW_SECRET).")
  String secretFile;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      scope = INHERIT,
      defaultValue = "${env:CREW_LOG_FORMAT:-text}",
      description =
          "Log lines as text, or one JSON object per line (env CREW_LOG_FORMAT, default ${DEFAULT-VALUE}).")
  LogFormat logFormat;

  @Option(
      names = {"-v", "--verbose"},
      scope = INHERIT,
      description = "Log more: -v for Crew's own log and stack traces, -vv for Hazelcast's too.")
  boolean[] verbose = new boolean[0];

  /** Signs jobs with the cluster secret, when one is configured. */
  Optional<JobSigner> signer() {
    try {
      return ClusterSecret.load(secretFile, System.getenv("CREW_SECRET"));
    } catch (IllegalArgumentException e) {
      throw CrewException.usage(e.getMessage());
    }
  }

  int verbosity() {
    return verbose == null ? 0 : verbose.length;
  }

  /** Connects as a client, or fails with exit code 3 and one line naming where it looked. */
  HazelcastInstance connect() {
    Duration timeout = Durations.parse(connectTimeout, "--connect-timeout");
    List<String> addresses = connect.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (addresses.isEmpty()) {
      throw CrewException.usage("--connect needs at least one HOST[:PORT]");
    }
    try {
      Sealer sealer = signer().map(JobSigner::sealer).orElse(null);
      return HazelcastClient.newHazelcastClient(
          ClusterConfigs.client(cluster, addresses, timeout, sealer));
    } catch (IllegalStateException e) {
      throw new CrewException(
          ExitCodes.UNREACHABLE,
          "cannot reach cluster '"
              + cluster
              + "' at "
              + String.join(",", addresses)
              + " (no member answered within "
              + timeout.toMillis() / 1000.0
              + " s; is a worker running there, with the same --cluster?)");
    }
  }
}
