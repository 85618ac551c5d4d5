package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

/** Why claims go back to the queue: their holder is gone, or their deadline passed. */
public sealed interface Loss {

  /** Every claim held on member {@code memberUuid}, which left the cluster (or is leaving). */
  record MemberLeft(String memberUuid) implements Loss {
    public MemberLeft {
      requireNonNull(memberUuid, "memberUuid");
    }
  }

  /** Every claim whose deadline is before the ledger's clock now (a hung or cut-off holder). */
  record ClaimsExpired() implements Loss {}
}
