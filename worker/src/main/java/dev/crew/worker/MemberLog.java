package dev.crew.worker;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.Names;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs members arriving and leaving, in one line each, instead of Hazelcast's member tables; and,
 * after each change, when every partition has its backups again. Until then the cluster survives no
 * further loss: with one backup, a second member lost before this line may take the only copy of
 * some queued ids, leases or results with it.
 */
final class MemberLog implements MembershipListener {
  private static final Logger log = LoggerFactory.getLogger(MemberLog.class);

  private final HazelcastInstance hazelcast;
  private final String ownFingerprint;
  private final AtomicLong changes = new AtomicLong();

  /**
   * @param ownFingerprint this worker's secret fingerprint, as members publish theirs
   */
  MemberLog(HazelcastInstance hazelcast, String ownFingerprint) {
    this.hazelcast = hazelcast;
    this.ownFingerprint = ownFingerprint;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    log.info(
        "member {} joined; the cluster has {} members",
        Names.member(event.getMember()),
        event.getMembers().size());
    String theirs = event.getMember().getAttribute(Names.ATTR_SECRET_FINGERPRINT);
    if (!ownFingerprint.equals(theirs)) {
      log.warn(
          "member {} holds another cluster secret (fingerprint {}, this worker's {}): a Crew worker"
              + " leaves again by itself; any other member is not one of this cluster's workers",
          Names.member(event.getMember()),
          theirs == null ? "none published" : theirs,
          ownFingerprint);
    }
    awaitSafe();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    log.info(
        "member {} left; the cluster has {} members",
        Names.member(event.getMember()),
        event.getMembers().size());
    awaitSafe();
  }

  private void awaitSafe() {
    long change = changes.incrementAndGet();
    long started = System.nanoTime();
    Thread.ofVirtual()
        .name("crew-await-safe")
        .start(
            () -> {
              try {
                while (changes.get() == change && hazelcast.getLifecycleService().isRunning()) {
                  if (hazelcast.getPartitionService().isClusterSafe()) {
                    log.info(
                        "cluster safe: every partition has its backups again ({} ms after the change)",
                        (System.nanoTime() - started) / 1_000_000);
                    return;
                  }
                  Thread.sleep(100);
                }
              } catch (InterruptedException | RuntimeException e) {
                // shutting down, or a newer change took over the wait
              }
            });
  }
}
