package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

/**
 * Who claims tasks: a worker, by the name people see and the uuid of its Hazelcast member, which is
 * what membership events name when it leaves.
 */
public record Claimant(String worker, String memberUuid) {
  public Claimant {
    requireNonNull(worker, "worker");
    requireNonNull(memberUuid, "memberUuid");
    if (memberUuid.isEmpty()) {
      throw new IllegalArgumentException("memberUuid must not be empty");
    }
  }
}
