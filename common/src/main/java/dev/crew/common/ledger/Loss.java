package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** Why claims go back to the queue: their holder is gone or silent, or no longer runs them. */
public sealed interface Loss {

  /**
   * Every claim held on member {@code memberUuid}: it left the cluster, is leaving, or sent no
   * heartbeat for a claim timeout (hung, or cut off).
   */
  record MemberLeft(String memberUuid) implements Loss {
    public MemberLeft {
      requireNonNull(memberUuid, "memberUuid");
    }
  }

  /**
   * Every claim held on a member not in {@code members} (the cluster as its caller sees it now):
   * one pass finds the claims of every member that left, whichever member holds their blocks.
   */
  record Departed(Set<String> members) implements Loss {
    public Departed {
      members = Set.copyOf(members);
    }
  }

  /**
   * The claims of member {@code memberUuid} past their deadline, except those on tasks it still
   * runs ({@code running}, task ids): claims its own takes left behind (a claim whose answer never
   * reached it). Only the holder knows what it runs, so only the holder asks for this.
   */
  record ClaimsExpired(String memberUuid, Set<String> running) implements Loss {
    public ClaimsExpired {
      requireNonNull(memberUuid, "memberUuid");
      running = Set.copyOf(running);
    }
  }
}
