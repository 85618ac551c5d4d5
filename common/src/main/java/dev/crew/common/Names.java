package dev.crew.common;

import com.hazelcast.cluster.Member;

/**
 * Names of the distributed structures and member attributes Crew uses; one place so both sides
 * agree.
 */
public final class Names {
  public static final String JOBS = "crew.jobs";
  public static final String RESULTS = "crew.results";

  public static final String HEARTBEATS = "crew.heartbeats";

  /** Each job's {@link ResultBudget}, under its job id. */
  public static final String BUDGETS = "crew.budgets";

  /** Each worker's {@link WorkerStats}, under its member uuid, rewritten every second. */
  public static final String STATS = "crew.stats";

  /** Recent {@link CrewEvent}s, oldest overwritten first. */
  public static final String EVENTS = "crew.events";

  /**
   * Member attributes a worker publishes so that clients can see its capacity without asking it.
   */
  public static final String ATTR_ROLE = "crew.role";

  public static final String ATTR_NAME = "crew.name";
  public static final String ATTR_CORES = "crew.cores";
  public static final String ATTR_CPU_THREADS = "crew.cpu-threads";
  public static final String ATTR_IO_CONCURRENCY = "crew.io-concurrency";
  public static final String ATTR_TASKS = "crew.tasks";

  /** {@link SecretFingerprint} of the member's cluster secret, {@code none} without one. */
  public static final String ATTR_SECRET_FINGERPRINT = "crew.secret-fingerprint";

  /** Bytes of unread results the worker holds its share of ({@link ResultHoldings#share}). */
  public static final String ATTR_RESULTS_SHARE = "crew.results-share";

  public static final String ROLE_WORKER = "worker";

  private Names() {}

  /** A task's id is {@code jobId/sequence}. */
  public static String taskId(String jobId, long seq) {
    return jobId + "/" + seq;
  }

  /** The job id in a task id made by {@link #taskId}. */
  public static String jobIdOf(String taskId) {
    int slash = taskId.lastIndexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("not a task id: '" + taskId + "'");
    }
    return taskId.substring(0, slash);
  }

  /** How results and listings name a member: its address as {@code host:port}. */
  public static String member(Member member) {
    return member.getAddress().getHost() + ":" + member.getAddress().getPort();
  }
}
