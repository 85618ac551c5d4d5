package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JobRecords} against a real member's jobs map, with entries that are not jobs in it. */
class JobRecordsClusterTest {
  private HazelcastInstance member;
  private IMap<Object, Object> jobs;

  @BeforeEach
  void startMember() {
    member = IsolatedMember.start("records");
    jobs = member.getMap(Names.JOBS);
    for (int i = 1; i <= 5; i++) {
      jobs.set("j" + i, Job.submitting("j" + i, "noop", Lane.CPU, Params.NONE, i * 1_000L));
    }
  }

  @AfterEach
  void stopMember() {
    member.getLifecycleService().terminate();
  }

  @Test
  void recent_newestFirstOfTheStoredJobs() {
    JobRecords.Recent recent = JobRecords.recent(jobs, 2);

    assertThat(recent.jobs()).extracting(Job::id).containsExactly("j5", "j4");
    assertThat(recent.stored()).isEqualTo(5);
    assertThat(recent.foreign()).isZero();
  }

  @Test
  void recent_foreignEntriesSkippedAndCounted() {
    jobs.set("text", "not a job");
    jobs.set(42, Job.submitting("j9", "noop", Lane.CPU, Params.NONE, 9_000L));
    // A job filed under another id, newest of all: not shown.
    jobs.set("squat", Job.submitting("j1", "noop", Lane.CPU, Params.NONE, 99_000L));

    // A Compact value of a type Crew does not know.
    jobs.set(
        "generic",
        com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder.compact("evil.Type")
            .setInt64("createdMillis", 999_000L)
            .build());

    JobRecords.Recent recent = JobRecords.recent(jobs, 3);
    JobRecords.Recent stamped = JobRecords.recentByMembers(jobs, 3);
    JobRecords all = JobRecords.all(jobs);

    assertThat(recent.jobs()).extracting(Job::id).containsExactly("j5", "j4", "j3");
    assertThat(recent.stored()).isEqualTo(5);
    assertThat(recent.foreign()).isEqualTo(4);
    assertThat(stamped).isEqualTo(recent);
    assertThat(all.jobs()).hasSize(5);
    assertThat(all.foreign()).isEqualTo(4);
  }

  @Test
  void recent_byMembersReadsOnlyTheNewest() {
    JobRecords.Recent stamped = JobRecords.recentByMembers(jobs, 2);

    assertThat(stamped.jobs()).extracting(Job::id).containsExactly("j5", "j4");
    assertThat(stamped.stored()).isEqualTo(5);
    assertThat(stamped.foreign()).isZero();
  }

  @Test
  void recent_recordsThatDoNotVerifyAreSkippedAndCounted() {
    // Newest of all, but made without the secret: no view shows it.
    jobs.set(
        "j9",
        Job.submitting("j9", "noop", Lane.CPU, Params.NONE, 9_000L).withSignature(Job.FORGED));

    JobRecords.Recent recent = JobRecords.recent(jobs, 2);
    JobRecords.Recent all = JobRecords.allNewestFirst(jobs);

    assertThat(recent.jobs()).extracting(Job::id).containsExactly("j5", "j4");
    assertThat(recent.stored()).isEqualTo(5);
    assertThat(recent.foreign()).isEqualTo(1);
    assertThat(JobRecords.recentByMembers(jobs, 2)).isEqualTo(recent);
    assertThat(all.jobs()).extracting(Job::id).containsExactly("j5", "j4", "j3", "j2", "j1");
    assertThat(all.foreign()).isEqualTo(1);
  }

  @Test
  void some_readsTheNamedJobsAndCountsTheRest() {
    jobs.set("text", "not a job");

    JobRecords some = JobRecords.some(jobs, java.util.Set.of("j1", "j3", "text", "absent"));

    assertThat(some.jobs()).extracting(Job::id).containsExactlyInAnyOrder("j1", "j3");
    assertThat(some.foreign()).isEqualTo(1);
  }
}
