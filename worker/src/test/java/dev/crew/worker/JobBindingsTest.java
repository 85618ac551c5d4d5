package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.worker.stats.WorkerEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobBindingsTest {
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final JobBindings bindings =
      new JobBindings(TaskCatalog.builtIn(), id -> Optional.ofNullable(jobs.get(id)), "w1");

  private Job put(String id, String task, Lane lane, Map<String, String> params) {
    Job job =
        Job.submitting(id, task, lane, new Params(params), System.currentTimeMillis())
            .queued(10, 1);
    jobs.put(id, job);
    return job;
  }

  @Test
  void forJob_unknownJobIsDropped() {
    assertThat(bindings.forJob("nope"))
        .isInstanceOfSatisfying(
            Binding.Drop.class, d -> assertThat(d.reason()).contains("nope").contains("unknown"));
  }

  @Test
  void forJob_cancelledJobIsDropped() {
    Job job = put("j1", "fib", Lane.CPU, Map.of());
    jobs.put("j1", job.withState(JobState.CANCELLED));

    assertThat(bindings.forJob("j1"))
        .isInstanceOfSatisfying(
            Binding.Drop.class, d -> assertThat(d.reason()).contains("j1").contains("cancelled"));
  }

  @Test
  void forJob_jobCancelledAfterBindingIsDropped() {
    Job job = put("j1", "fib", Lane.CPU, Map.of());
    assertThat(bindings.forJob("j1")).isInstanceOf(Binding.Run.class);

    jobs.put("j1", job.withState(JobState.CANCELLED));

    assertThat(bindings.forJob("j1")).isInstanceOf(Binding.Drop.class);
  }

  @Test
  void forJob_unknownTaskIsLeftToOtherWorkersNamingWorkerAndTask() {
    put("j1", "no-such-task", Lane.CPU, Map.of());

    assertThat(bindings.forJob("j1"))
        .isEqualTo(
            new Binding.Elsewhere("no-such-task", "worker w1 has no task named 'no-such-task'"));
  }

  @Test
  void forJob_badParamsAreRefused() {
    put("zero", "http-get", Lane.IO, Map.of("timeout", "0"));
    put("typo", "fib", Lane.CPU, Map.of("depth", "3"));

    assertThat(bindings.forJob("zero"))
        .isEqualTo(new Binding.Refuse("parameter timeout must be more than 0"));
    assertThat(bindings.forJob("typo"))
        .isInstanceOfSatisfying(
            Binding.Refuse.class,
            r ->
                assertThat(r.error())
                    .isEqualTo("unknown parameter 'depth' for task fib (it takes none)"));
  }

  @Test
  void forJob_goodJobRunsAndReusesItsBinding() throws Exception {
    put("j1", "fib", Lane.CPU, Map.of());
    put("j2", "fib", Lane.CPU, Map.of());

    Binding first = bindings.forJob("j1");
    assertThat(first).isInstanceOf(Binding.Run.class);
    assertThat(((Binding.Run) first).function().apply("10")).isEqualTo(55L);
    assertThat(bindings.forJob("j1")).isSameAs(first);
    assertThat(bindings.forJob("j2")).isInstanceOf(Binding.Run.class).isNotSameAs(first);
  }

  @Test
  void forJob_manyJobsStillBind() {
    for (int i = 0; i < 1_200; i++) {
      put("j" + i, "fib", Lane.CPU, Map.of());
      assertThat(bindings.forJob("j" + i)).as("job j%d", i).isInstanceOf(Binding.Run.class);
    }
    assertThat(bindings.forJob("j0")).isInstanceOf(Binding.Run.class);
  }

  private final JobSigner signer = JobSigner.of("job-bindings-test-secret");
  private final AtomicInteger verified = new AtomicInteger();
  private final List<String> refused = new ArrayList<>();
  private final JobBindings signedBindings =
      new JobBindings(
          TaskCatalog.builtIn(),
          new JobBook() {
            @Override
            public Optional<Job> find(String jobId) {
              return Optional.ofNullable(jobs.get(jobId));
            }

            @Override
            public void refuse(Job job) {
              refused.add(job.id());
            }
          },
          "w1",
          signed -> {
            verified.incrementAndGet();
            return signer.verify(signed);
          },
          /* allowExec= */ false,
          WorkerEvents.NONE);

  private Job putSigned(String id, Map<String, String> params) {
    Job job =
        Job.submitting(id, "http-get", Lane.IO, new Params(params), System.currentTimeMillis());
    job = job.withSignature(signer.sign(job)).queued(100, 100);
    jobs.put(id, job);
    return job;
  }

  @Test
  void forJob_signedJob_verifiedOnceForAllItsTasks() {
    Job job = putSigned("j1", Map.of("timeout", "5"));

    for (int task = 0; task < 100; task++) {
      assertThat(signedBindings.forJob("j1")).as("task %d", task).isInstanceOf(Binding.Run.class);
    }
    // Progress and state are not signed: a job moving on is not checked again.
    jobs.put("j1", job.queued(200, 200).withInputDigest("digest"));
    assertThat(signedBindings.forJob("j1")).isInstanceOf(Binding.Run.class);

    assertThat(verified).hasValue(1);
  }

  @Test
  void forJob_signedJobChangedAfterVerified_checkedAgainAndRefused() {
    Job job = putSigned("j1", Map.of("timeout", "5"));
    Binding first = signedBindings.forJob("j1");
    assertThat(first).isInstanceOf(Binding.Run.class);

    // Another parameter under the same id and signature: a forgery by someone without the secret.
    jobs.put(
        "j1",
        new Job(
            job.id(),
            job.task(),
            job.lane(),
            new Params(Map.of("timeout", "60000")),
            job.state(),
            job.createdMillis(),
            job.totalItems(),
            job.totalTasks(),
            job.retries(),
            job.timeoutMillis(),
            job.signature()));

    assertThat(signedBindings.forJob("j1"))
        .isInstanceOfSatisfying(
            Binding.Drop.class, d -> assertThat(d.reason()).contains("not signed"));
    assertThat(verified).hasValue(2);
    assertThat(refused).containsExactly("j1");
  }

  @Test
  void forJob_recordForgedAfterVerified_keepsRunningAsVerifiedAndRefusesNothing() {
    Job job = putSigned("j1", Map.of("timeout", "5"));
    Binding first = signedBindings.forJob("j1");
    // What a record whose state was set to cancelled without the secret reads as.
    jobs.put("j1", job.withState(JobState.CANCELLED).withSignature(Job.FORGED));

    assertThat(signedBindings.forJob("j1")).isSameAs(first);
    assertThat(refused).isEmpty();
  }

  @Test
  void forJob_jobSeenEnding_isAReplay_evenWithItsVerifiedRecordPutBack() {
    FinishedJobs finished = new FinishedJobs(System::currentTimeMillis);
    JobBindings withMemory =
        new JobBindings(
            TaskCatalog.builtIn(),
            id -> Optional.ofNullable(jobs.get(id)),
            "w1",
            signer::verify,
            /* allowExec= */ false,
            WorkerEvents.NONE,
            finished);
    putSigned("j1", Map.of("timeout", "5"));
    assertThat(withMemory.forJob("j1")).isInstanceOf(Binding.Run.class);

    finished.ended("j1");

    assertThat(withMemory.forJob("j1"))
        .isInstanceOfSatisfying(
            Binding.Replay.class, r -> assertThat(r.reason()).contains("replay"));
    // The tasks a cancelled job leaves are dropped as such, not taken for a replay.
    jobs.put("j1", jobs.get("j1").withState(JobState.CANCELLED));
    assertThat(withMemory.forJob("j1")).isInstanceOf(Binding.Drop.class);
  }

  @Test
  void forJob_jobSeenEndingWhileTheLocalCopyStillShowsItRunning_isDroppedNotAReplay() {
    FinishedJobs finished = new FinishedJobs(System::currentTimeMillis);
    Job running = putSigned("j1", Map.of("timeout", "5"));
    JobBook lagging =
        new JobBook() {
          @Override
          public Optional<Job> find(String jobId) {
            return Optional.of(running); // a near cache not yet told
          }

          @Override
          public Optional<Job> findFresh(String jobId) {
            return Optional.of(running.withState(JobState.CANCELLED));
          }
        };
    JobBindings withMemory =
        new JobBindings(
            TaskCatalog.builtIn(),
            lagging,
            "w1",
            signer::verify,
            /* allowExec= */ false,
            WorkerEvents.NONE,
            finished);
    finished.ended("j1");

    assertThat(withMemory.forJob("j1"))
        .isInstanceOfSatisfying(Binding.Drop.class, d -> assertThat(d.reason()).endsWith("ended"));
  }

  @Test
  void forJob_forgedRecordNeverVerifiedHere_isDroppedButNotMarkedRefused() {
    Job job = putSigned("j1", Map.of("timeout", "5"));
    jobs.put("j1", job.withSignature(Job.FORGED));

    assertThat(signedBindings.forJob("j1"))
        .isInstanceOfSatisfying(
            Binding.Drop.class, d -> assertThat(d.reason()).contains("does not open"));
    assertThat(refused).isEmpty();
  }

  @Test
  void forJob_signedJobResignedWithOtherParams_checkedAgainAndBoundAfresh() {
    Job job = putSigned("j1", Map.of("timeout", "5"));
    Binding first = signedBindings.forJob("j1");

    Job changed = job.withPolicy(3, 1_000);
    jobs.put("j1", changed.withSignature(signer.sign(changed)));
    Binding second = signedBindings.forJob("j1");

    assertThat(verified).hasValue(2);
    assertThat(second).isInstanceOf(Binding.Run.class).isNotEqualTo(first);
    assertThat(((Binding.Run) second).policy().retries()).isEqualTo(3);
  }

  @Test
  void forJob_forgedJob_neverRemembered() {
    Job job =
        Job.submitting(
            "j1",
            "http-get",
            Lane.IO,
            new Params(Map.of("timeout", "5")),
            System.currentTimeMillis());
    jobs.put("j1", job.withSignature("forged").queued(10, 10));

    assertThat(signedBindings.forJob("j1")).isInstanceOf(Binding.Drop.class);
    assertThat(signedBindings.forJob("j1")).isInstanceOf(Binding.Drop.class);

    assertThat(verified).hasValue(2);
    assertThat(signedBindings.cached()).isZero();
  }

  @Test
  void forJob_manySignedJobs_cacheStaysBoundedAndAnEvictedJobIsCheckedAgain() {
    int jobCount = JobBindings.MAX_CACHED * 3;
    for (int i = 0; i < jobCount; i++) {
      putSigned("j" + i, Map.of("timeout", "5"));
      assertThat(signedBindings.forJob("j" + i)).as("job j%d", i).isInstanceOf(Binding.Run.class);
      assertThat(signedBindings.cached()).isLessThanOrEqualTo(JobBindings.MAX_CACHED);
    }
    assertThat(verified).hasValue(jobCount);

    // The newest are still known; the oldest fell out and costs one check more.
    assertThat(signedBindings.forJob("j" + (jobCount - 1))).isInstanceOf(Binding.Run.class);
    assertThat(verified).hasValue(jobCount);
    assertThat(signedBindings.forJob("j0")).isInstanceOf(Binding.Run.class);
    assertThat(verified).hasValue(jobCount + 1);
  }
}
