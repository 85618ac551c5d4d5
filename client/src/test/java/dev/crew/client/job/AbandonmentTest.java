package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link Abandonment} against a real member, through a view of it whose jobs map fails the first
 * compare-and-set as Hazelcast fails a write whose backup never confirmed it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbandonmentTest {
  private HazelcastInstance member;

  @BeforeAll
  void start() {
    member = IsolatedMember.start("abandon");
  }

  @AfterAll
  void stop() {
    member.getLifecycleService().terminate();
  }

  @Test
  void abandon_aSubmittingJob_marksItAbandonedAndSaysSo() {
    Job job = submitting("plain");

    assertThat(new Abandonment(member, job.id()).abandon("input ended early")).isTrue();

    assertThat(jobs().get(job.id()).state()).isEqualTo(JobState.ABANDONED);
    awaitEvent(job.id(), "input ended early");
  }

  @Test
  void abandon_whoseWriteLandedButFailedIndeterminate_saysItWasAbandoned() {
    Job job = submitting("landed");
    AtomicInteger attempts = new AtomicInteger();

    boolean abandoned =
        new Abandonment(jobsFailingFirstReplace(true, attempts), job.id()).abandon("cut off");

    assertThat(abandoned).isTrue();
    assertThat(attempts).as("compare-and-set calls").hasValue(1);
    assertThat(jobs().get(job.id()).state()).isEqualTo(JobState.ABANDONED);
    awaitEvent(job.id(), "cut off");
  }

  @Test
  void abandon_whoseWriteFailedBeforeLanding_writesItAgain() {
    Job job = submitting("lost");
    AtomicInteger attempts = new AtomicInteger();

    boolean abandoned =
        new Abandonment(jobsFailingFirstReplace(false, attempts), job.id()).abandon("cut off");

    assertThat(abandoned).isTrue();
    assertThat(attempts).hasValue(2);
    assertThat(jobs().get(job.id()).state()).isEqualTo(JobState.ABANDONED);
  }

  @Test
  void abandon_aJobNoLongerSubmitting_leavesIt() {
    Job job = submitting("running");
    jobs().put(job.id(), job.withState(JobState.RUNNING));

    assertThat(new Abandonment(member, job.id()).abandon("late")).isFalse();

    assertThat(jobs().get(job.id()).state()).isEqualTo(JobState.RUNNING);
    assertThat(events(job.id())).isEmpty();
  }

  /** The event is sent without waiting for it: wait until it is there, once. */
  private void awaitEvent(String jobId, String reason) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(events(jobId)).containsExactly("job " + jobId + ": " + reason));
  }

  private Job submitting(String name) {
    Job job =
        Job.submitting(
            name + "-" + UUID.randomUUID(),
            "noop",
            Lane.CPU,
            Params.NONE,
            System.currentTimeMillis());
    jobs().put(job.id(), job);
    return job;
  }

  private IMap<String, Job> jobs() {
    return member.getMap(Names.JOBS);
  }

  /** The abandonment events the cluster holds for {@code jobId}, by their text. */
  private List<String> events(String jobId) {
    Ringbuffer<CrewEvent> ring = member.getRingbuffer(Names.EVENTS);
    List<String> texts = new java.util.ArrayList<>();
    for (long seq = ring.headSequence(); seq <= ring.tailSequence(); seq++) {
      CrewEvent event;
      try {
        event = ring.readOne(seq);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (event.kind() == CrewEvent.Kind.ABANDONED && event.detail().contains(jobId)) {
        texts.add(event.detail());
      }
    }
    return texts;
  }

  /**
   * The member, but its jobs map fails its first {@code replace(key, old, new)} as indeterminate,
   * after applying it if {@code applied}; the calls are counted in {@code attempts}.
   */
  private HazelcastInstance jobsFailingFirstReplace(boolean applied, AtomicInteger attempts) {
    IMap<String, Job> real = jobs();
    Object failing =
        Proxy.newProxyInstance(
            IMap.class.getClassLoader(),
            new Class<?>[] {IMap.class},
            (proxy, method, args) -> {
              boolean compareAndSet =
                  method.getName().equals("replace") && args != null && args.length == 3;
              if (compareAndSet && attempts.incrementAndGet() == 1) {
                if (applied) {
                  method.invoke(real, args);
                }
                throw new IndeterminateOperationStateException("a backup did not confirm");
              }
              return invoke(method, real, args);
            });
    return (HazelcastInstance)
        Proxy.newProxyInstance(
            HazelcastInstance.class.getClassLoader(),
            new Class<?>[] {HazelcastInstance.class},
            (proxy, method, args) ->
                method.getName().equals("getMap") && Names.JOBS.equals(args[0])
                    ? failing
                    : invoke(method, member, args));
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
