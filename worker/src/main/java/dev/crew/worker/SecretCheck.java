package dev.crew.worker;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.SecretFingerprint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps a worker out of a cluster whose workers hold another cluster secret, or none where it has
 * one, or one where it has none: such a worker would run tasks the cluster never signed, or refuse
 * every task the cluster sends.
 *
 * <p>Hazelcast open source lets any member join, so the check is the worker's own: before joining
 * it looks at its {@code --join} peers as a short-lived client, so that in the usual case it never
 * becomes a member at all; right after joining it looks again, since two workers that start at once
 * cannot see each other beforehand (and multicast or Kubernetes peers are only known by joining).
 */
final class SecretCheck {
  /** How long to wait for a peer that accepts connections to answer as a cluster. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** A peer on loopback or the local network accepts a connection well within this, or is down. */
  private static final int PORT_TIMEOUT_MILLIS = 300;

  /** Ports a peer given without one is tried on, as Hazelcast's own clients do. */
  private static final List<Integer> DEFAULT_PORTS = List.of(5701, 5702, 5703);

  private SecretCheck() {}

  /**
   * Before joining: when a {@code --join} peer is up, refuses (one line) if its cluster's workers
   * hold another secret. A worker whose peers are all down is the first one and has nothing to
   * compare with: it does not wait for a client to give up.
   */
  static void beforeJoin(ClusterConfigs.Membership membership, String own) {
    if (membership.isolated() || membership.join().isEmpty() || !anyListening(membership.join())) {
      return;
    }
    HazelcastInstance client;
    try {
      client =
          HazelcastClient.newHazelcastClient(
              ClusterConfigs.client(membership.cluster(), membership.join(), PROBE_TIMEOUT));
    } catch (IllegalStateException e) {
      return; // no cluster of that name answered: nothing to compare with yet
    }
    try {
      refuseOnMismatch(
          client.getCluster().getMembers(), membership.cluster(), own, "it did not join");
    } finally {
      client.shutdown();
    }
  }

  /**
   * Right after joining: compares with the cluster's oldest worker, and on a mismatch leaves the
   * cluster before any lane has started, then refuses (one line).
   */
  static void afterJoin(HazelcastInstance member, String cluster, String own) {
    try {
      refuseOnMismatch(
          member.getCluster().getMembers(), cluster, own, "it left again before running anything");
    } catch (SecretMismatch e) {
      member.shutdown();
      throw e;
    }
  }

  private static void refuseOnMismatch(
      Iterable<Member> members, String cluster, String own, String outcome) {
    Optional<String> mismatch = SecretFingerprint.mismatch(members, own, "this worker");
    if (mismatch.isPresent()) {
      throw new SecretMismatch(
          "cluster '"
              + cluster
              + "' is not this worker's: "
              + mismatch.get()
              + "; start it with the cluster's secret (CREW_SECRET or --secret-file); "
              + outcome);
    }
  }

  private static boolean anyListening(List<String> peers) {
    for (InetSocketAddress address : addresses(peers)) {
      try (Socket socket = new Socket()) {
        socket.connect(address, PORT_TIMEOUT_MILLIS);
        return true;
      } catch (IOException e) {
        // down, or not there: try the next
      }
    }
    return false;
  }

  /** {@code host[:port]} and {@code [v6]:port}, as {@code --join} takes them. */
  private static List<InetSocketAddress> addresses(List<String> peers) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String peer : peers) {
      String host = peer;
      List<Integer> ports = DEFAULT_PORTS;
      int colon = peer.lastIndexOf(':');
      boolean bareV6 = peer.indexOf(':') != colon && !peer.startsWith("[");
      if (colon > 0 && !bareV6 && !peer.endsWith("]")) {
        try {
          ports = List.of(Integer.parseInt(peer.substring(colon + 1)));
          host = peer.substring(0, colon);
        } catch (NumberFormatException e) {
          continue; // not an address Hazelcast would join either
        }
      }
      host =
          host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      for (int port : ports) {
        addresses.add(new InetSocketAddress(host, port));
      }
    }
    return addresses;
  }

  /** The worker's secret does not match its cluster's. */
  static final class SecretMismatch extends IllegalStateException {
    SecretMismatch(String message) {
      super(message);
    }
  }
}
