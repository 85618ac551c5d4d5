/**
 * Crew as a library: run a job on a Crew cluster from a JVM program.
 *
 * <p>{@link dev.crew.client.CrewClient} connects to a cluster (or starts a worker in this process),
 * {@link dev.crew.client.JobSpec} describes a job, and {@link dev.crew.client.JobHandle} follows
 * it: results as a {@link java.util.stream.Stream} or {@link java.util.concurrent.Flow.Publisher},
 * a {@link java.util.concurrent.CompletableFuture} of its summary, progress, cancel.
 *
 * <pre>{@code
 * try (CrewClient crew = CrewClient.connect(Connection.to("crew", "10.0.0.5:5701").withSecret(s))) {
 *   JobHandle job = crew.submit(JobSpec.task("fib").range(20, 35).build());
 *   job.results().forEach(r -> System.out.println(r.index() + " " + r.json()));
 *   System.out.println(job.summary().join());
 * }
 * }</pre>
 */
@NullMarked
package dev.crew.client;

import org.jspecify.annotations.NullMarked;
