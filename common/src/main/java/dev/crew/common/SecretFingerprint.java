package dev.crew.common;

import com.hazelcast.cluster.Member;
import java.util.Optional;

/**
 * Whether a worker or coordinator holds the same cluster secret as the cluster it meets, told by
 * the {@linkplain JobSigner#fingerprint() fingerprint} that every worker publishes as a member
 * attribute ({@value #NONE} without a secret).
 *
 * <p>The cluster's fingerprint is its oldest worker's. When two workers with different secrets
 * start at once and both join, each compares itself with the oldest: the newer one leaves,
 * whichever looked first.
 */
public final class SecretFingerprint {
  public static final String NONE = "none";

  private SecretFingerprint() {}

  /** The fingerprint of {@code signer}'s secret, or {@value #NONE} for a party without one. */
  public static String of(Optional<JobSigner> signer) {
    return signer.map(JobSigner::fingerprint).orElse(NONE);
  }

  /**
   * The cluster's fingerprint as {@code members} (oldest first, as Hazelcast lists them) show it:
   * the oldest worker's; empty when there is no worker, or the oldest is the local member, which
   * has nothing older to agree with.
   */
  public static Optional<String> ofCluster(Iterable<Member> members) {
    for (Member member : members) {
      if (Names.ROLE_WORKER.equals(member.getAttribute(Names.ATTR_ROLE))) {
        if (member.localMember()) {
          return Optional.empty();
        }
        String published = member.getAttribute(Names.ATTR_SECRET_FINGERPRINT);
        return Optional.of(published == null || published.isBlank() ? NONE : published);
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code own} cannot work with the cluster {@code members} show, in a few words, e.g. "its
   * workers hold another cluster secret (fingerprint 1f2e.., this worker's: none)"; empty when the
   * secrets match or no other worker is there.
   */
  public static Optional<String> mismatch(Iterable<Member> members, String own, String whose) {
    return ofCluster(members)
        .filter(theirs -> !theirs.equals(own))
        .map(
            theirs ->
                (theirs.equals(NONE)
                        ? "its workers run without a cluster secret"
                        : "its workers hold "
                            + (own.equals(NONE) ? "a cluster secret" : "another cluster secret"))
                    + " (fingerprint "
                    + theirs
                    + "; "
                    + whose
                    + "'s: "
                    + own
                    + ")");
  }
}
