package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class JobBindingsTest {
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final JobBindings bindings =
      new JobBindings(TaskCatalog.builtIn(), id -> Optional.ofNullable(jobs.get(id)), "w1");

  private Job put(String id, String task, Lane lane, Map<String, String> params) {
    Job job = Job.submitting(id, task, lane, new Params(params), 0).queued(10, 1);
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
}
