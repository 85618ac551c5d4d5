package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real worker in this JVM: what it publishes about itself, and how its reliability events reach a
 * view.
 */
@ExtendWith(QuickJoin.class)
class ObserveClusterTest {
  private final String cluster = "test-" + UUID.randomUUID();
  private Worker worker;

  @BeforeEach
  void start() {
    worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(
                    cluster, List.of("127.0.0.1"), false, "127.0.0.1", 5851, false),
                2,
                50,
                0,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn());
  }

  @AfterEach
  void stop() {
    worker.close();
  }

  @Test
  void stats_publishedUnderTheMemberUuidAtStart() {
    String uuid = worker.hazelcast().getCluster().getLocalMember().getUuid().toString();
    WorkerStats stats = worker.hazelcast().<String, WorkerStats>getMap(Names.STATS).get(uuid);
    assertThat(stats).isNotNull();
    assertThat(stats.name()).isEqualTo(worker.name());
    assertThat(stats.cpuSlots()).isEqualTo(2);
    assertThat(stats.ioSlots()).isEqualTo(50);
    assertThat(stats.itemsDone()).isZero();
  }

  /**
   * A value that is not a worker's stats, put at a member's key by someone else, is left out of the
   * view rather than failing it. The member is a plain one, which publishes no stats of its own to
   * overwrite the planted value.
   */
  @Test
  void view_leavesOutAStatsValueThatIsNotStats_atAMembersKey() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                cluster, List.of("127.0.0.1:5851"), false, "127.0.0.1", 5852, false),
            Map.of(),
            1);
    config.getNetworkConfig().setPortCount(10);
    HazelcastInstance plain = Hazelcast.newHazelcastInstance(config);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> worker.hazelcast().getCluster().getMembers().size() == 2);
      String plainUuid = plain.getCluster().getLocalMember().getUuid().toString();
      plain.<String, Object>getMap(Names.STATS).set(plainUuid, "not stats");

      ClusterSnapshot snapshot =
          new ClusterWatch(worker.hazelcast(), cluster, 5, System::currentTimeMillis).read();

      assertThat(snapshot.workers()).extracting(WorkerStats::name).containsExactly(worker.name());
    } finally {
      plain.getLifecycleService().terminate();
    }
  }

  /**
   * A Compact record of someone else's in the results map, with a job's id and counts, is counted
   * as a failed task of that finished job, and so matches the view's query for failed results; the
   * view leaves it out of the failures rather than failing.
   */
  @Test
  void view_leavesOutAForeignRecordThatMatchesTheQueryForFailedResults() {
    HazelcastInstance member = worker.hazelcast();
    String jobId = "planted-" + UUID.randomUUID();
    member
        .<String, Job>getMap(Names.JOBS)
        .set(
            jobId,
            Job.submitting(jobId, "noop", Lane.CPU, Params.NONE, System.currentTimeMillis())
                .queued(1, 1)
                .withState(JobState.DONE));
    member
        .<String, Object>getMap(Names.RESULTS)
        .set(
            Names.taskId(jobId, 0),
            GenericRecordBuilder.compact("evil.Type")
                .setString("jobId", jobId)
                .setInt32("ok", 0)
                .setInt32("failed", 1)
                .build());

    ClusterSnapshot snapshot =
        new ClusterWatch(member, cluster, 5, System::currentTimeMillis).read();

    assertThat(snapshot.jobs())
        .singleElement()
        .satisfies(job -> assertThat(job.failed()).as("counted from the record").isEqualTo(1));
    assertThat(snapshot.failures()).isEmpty();
  }

  @Test
  void events_requeueAndDuplicate_countedAndShownInTheView() throws InterruptedException {
    HazelcastInstance member = worker.hazelcast();
    WorkerEvents.of(member).requeued("10.0.0.9:5701", "left the cluster", 3);
    // One task recorded twice through the worker's result sink: the second is the late duplicate.
    // (The worker may claim the task meanwhile and drop it, as its job is unknown; a result is
    // recorded whether its task is queued or claimed.)
    TaskLedger ledger = new Submitter(member).ledger();
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, new String[] {"a"});
    ledger.store(Lane.CPU, List.of(chunk));
    TaskResult result =
        TaskResult.of(chunk, worker.name(), 1, new String[] {"1"}, new String[] {null});
    LedgerResultSink sink = new LedgerResultSink(ledger, worker.meters(), written -> {});
    try {
      sink.record(result);
      sink.flush();
      sink.record(result);
      sink.flush();
    } finally {
      sink.close();
    }

    assertThat(sink.duplicates()).isEqualTo(1);
    assertThat(ledger.pending("job", 10))
        .singleElement()
        .usingRecursiveComparison()
        .isEqualTo(result);
    assertThat(worker.meters().requeues()).isEqualTo(3);
    assertThat(worker.meters().duplicates()).isEqualTo(1);
    ClusterWatch watch = new ClusterWatch(member, cluster, 5, System::currentTimeMillis);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              ClusterSnapshot snapshot = watch.read();
              assertThat(snapshot.events())
                  .extracting(CrewEvent::kind)
                  .containsExactly(CrewEvent.Kind.DUPLICATE_DROPPED, CrewEvent.Kind.REQUEUED);
              assertThat(snapshot.events().get(1).count()).isEqualTo(3);
              assertThat(snapshot.workers())
                  .singleElement()
                  .satisfies(
                      w -> {
                        assertThat(w.requeues()).isEqualTo(3);
                        assertThat(w.duplicates()).isEqualTo(1);
                      });
            });
  }
}
