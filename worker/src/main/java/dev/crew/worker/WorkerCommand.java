package dev.crew.worker;

import ch.qos.logback.classic.Level;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ClusterSecret;
import dev.crew.common.Durations;
import dev.crew.common.IoConcurrency;
import dev.crew.common.LogFormat;
import dev.crew.common.TaskCatalog;
import dev.crew.common.http.HttpOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code worker}: starts a Crew worker on this host and runs it until it is stopped. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    version = "crew worker 0.1.0",
    header = "Start a Crew worker: a cluster member that runs tasks on every core of this host.",
    description = {
      "Joins the cluster named by --cluster (by --join peers, --multicast or --k8s-dns), then claims tasks of",
      "the cpu and io lanes from the cluster's task ledger as its lanes have free slots. Stop it with Ctrl-C or",
      "SIGTERM.",
      "Every option can also be set by the environment variable shown in its description."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly",
      "2:bad usage",
      "3:could not start or join the cluster, or its workers hold another cluster secret"
    },
    subcommands = {CommandLine.HelpCommand.class, TrainCommand.class})
public final class WorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--join",
      split = ",",
      paramLabel = "HOST[:PORT]",
      defaultValue = "${env:CREW_JOIN:-}",
      description = "Peers to join over TCP/IP, comma-separated (env CREW_JOIN).")
  List<String> join;

  @Option(
      names = "--multicast",
      defaultValue = "${env:CREW_MULTICAST:-false}",
      description = "Find peers by multicast instead of --join (env CREW_MULTICAST).")
  boolean multicast;

  @Option(
      names = "--k8s-dns",
      paramLabel = "SERVICE",
      defaultValue = "${env:CREW_K8S_DNS}",
      description = {
        "Find peers in Kubernetes: the DNS name of the workers' headless Service, whose addresses are the peers",
        "(env CREW_K8S_DNS; e.g. crew-workers.crew.svc.cluster.local). Needs no Kubernetes API permissions."
      })
  String k8sDns;

  @Option(
      names = "--cluster",
      paramLabel = "NAME",
      defaultValue = "${env:CREW_CLUSTER:-crew}",
      description =
          "Cluster name; members with other names never join (env CREW_CLUSTER, default ${DEFAULT-VALUE}).")
  String cluster;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "${env:CREW_BIND}",
      description = "Address to bind and advertise (env CREW_BIND; default: chosen by Hazelcast).")
  String bind;

  @Option(
      names = "--port",
      defaultValue = "${env:CREW_PORT:-5701}",
      description =
          "First port to try; the next free one is taken if it is busy (env CREW_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--cpu-threads",
      paramLabel = "N",
      defaultValue = "${env:CREW_CPU_THREADS:-0}",
      description =
          "CPU lane threads (env CREW_CPU_THREADS; default: the cores this process may use).")
  int cpuThreads;

  @Option(
      names = "--io-concurrency",
      paramLabel = "auto|N",
      defaultValue = "${env:CREW_IO_CONCURRENCY:-1000}",
      description =
          "I/O lane items in flight: auto adapts to the latency and overload signs (timeouts, 429/503)"
              + " of what the items call, a number fixes it (env CREW_IO_CONCURRENCY, default"
              + " ${DEFAULT-VALUE}).")
  String ioConcurrency;

  @Option(
      names = "--backups",
      paramLabel = "N",
      defaultValue = "${env:CREW_BACKUPS:-1}",
      description =
          "Synchronous backups of the task ledger, jobs and results (env CREW_BACKUPS, default ${DEFAULT-VALUE}).")
  int backups;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:CREW_DRAIN_TIMEOUT:-30s}",
      description =
          "On SIGTERM, how long running tasks may take to finish (env CREW_DRAIN_TIMEOUT, default ${DEFAULT-VALUE}).")
  String drainTimeout;

  @Option(
      names = "--lease-timeout",
      paramLabel = "DURATION",
      defaultValue = "${env:CREW_LEASE_TIMEOUT:-15s}",
      description =
          "A worker silent this long loses its tasks to others (env CREW_LEASE_TIMEOUT, default ${DEFAULT-VALUE}).")
  String leaseTimeout;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "${env:CREW_HEARTBEAT:-1s}",
      description =
          "How often this worker says it is alive (env CREW_HEARTBEAT, default ${DEFAULT-VALUE}).")
  String heartbeat;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      defaultValue = "${env:CREW_SECRET_FILE}",
      description = {
        "File holding the cluster secret; only jobs signed with it run (env CREW_SECRET_FILE, or the secret itself",
        "in CREW_SECRET). Without one the worker runs anything it is sent, and says so loudly."
      })
  String secretFile;

  @Option(
      names = "--allow-exec",
      defaultValue = "${env:CREW_ALLOW_EXEC:-false}",
      description =
          "Allow tasks that run commands on this host, such as exec (env CREW_ALLOW_EXEC).")
  boolean allowExec;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      defaultValue = "${env:CREW_HTTP_PORT:-0}",
      description = {
        "Serve /health/live, /health/ready, /metrics (Prometheus) and the dashboard on this port",
        "(env CREW_HTTP_PORT; default 0: off)."
      })
  int httpPort;

  @Option(
      names = "--http-bind",
      paramLabel = "ADDR",
      defaultValue = "${env:CREW_HTTP_BIND:-127.0.0.1}",
      description = {
        "Address the HTTP endpoint listens on (env CREW_HTTP_BIND, default ${DEFAULT-VALUE}); it has no",
        "authentication, so open it (0.0.0.0) only where the network is trusted, e.g. inside a pod."
      })
  String httpBind;

  @Option(
      names = "--http-allowed-host",
      split = ",",
      paramLabel = "NAME",
      defaultValue = "${env:CREW_HTTP_ALLOWED_HOSTS:-}",
      description = {
        "A name the HTTP endpoint answers to, besides localhost, IP addresses and the --http-bind name;",
        "repeatable or comma-separated (env CREW_HTTP_ALLOWED_HOSTS). A request whose Host header is any other",
        "name is answered 421 with nothing of the worker's: a web page cannot reach the endpoint by pointing",
        "its own name at this address (DNS rebinding). Add the names probes and scrapers use, e.g. a Service's."
      })
  List<String> httpAllowedHosts;

  @Option(
      names = "--http-hide-errors",
      defaultValue = "${env:CREW_HTTP_HIDE_ERRORS:-false}",
      description = {
        "Show failed items on the dashboard only as counted failures, with no item or error text",
        "(env CREW_HTTP_HIDE_ERRORS)."
      })
  boolean httpHideErrors;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      defaultValue = "${env:CREW_LOG_FORMAT:-text}",
      description =
          "Log lines as text, or as one JSON object per line (env CREW_LOG_FORMAT, default ${DEFAULT-VALUE}).")
  LogFormat logFormat;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log more: -v for Crew's debug lines, -vv for Hazelcast's too.")
  boolean[] verbose = new boolean[0];

  public static void main(String[] args) {
    // Hazelcast logs its first lines before it reads its config: route those through SLF4J too.
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty(
        "logback.configurationFile",
        System.getProperty("logback.configurationFile", "crew-worker-logback.xml"));
    LogFormat.of(List.of(args), System.getenv("CREW_LOG_FORMAT")).apply();
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling; tests use it with their own output streams. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new WorkerCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true); // --log-format JSON as well as json
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("worker: " + message(e));
          if (commandLine.getCommand() instanceof WorkerCommand worker
              && worker.verbose.length > 0) {
            e.printStackTrace(err);
          }
          err.flush();
          return e instanceof IllegalArgumentException ? 2 : 3;
        });
    return cli;
  }

  private static String message(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  public Integer call() throws InterruptedException {
    applyVerbosity(verbose.length);
    List<String> peers = join.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (cpuThreads < 0) {
      throw new IllegalArgumentException(
          "--cpu-threads must be at least 1 (or 0 for one per core), not " + cpuThreads);
    }
    int threads = cpuThreads > 0 ? cpuThreads : Runtime.getRuntime().availableProcessors();
    Worker.Settings settings =
        new Worker.Settings(
            new ClusterConfigs.Membership(
                cluster,
                peers,
                multicast,
                blankToNull(bind),
                port,
                /* isolated= */ false,
                blankToNull(k8sDns)),
            threads,
            IoConcurrency.option(ioConcurrency),
            backups,
            Durations.parse(drainTimeout, "--drain-timeout"),
            Durations.parse(leaseTimeout, "--lease-timeout"),
            Durations.parse(heartbeat, "--heartbeat"),
            new Worker.Security(
                ClusterSecret.load(secretFile, System.getenv("CREW_SECRET")).orElse(null),
                allowExec));
    HttpOptions http =
        new HttpOptions(
            httpBind == null ? HttpOptions.DEFAULT_BIND : httpBind.trim(),
            httpPort,
            httpAllowedHosts == null ? List.of() : httpAllowedHosts,
            httpHideErrors);
    // Signals are taken before the member starts: a SIGTERM that lands while it joins (an
    // orchestrator scaling down
    // right after scaling up) must still leave the cluster gracefully, its partitions handed over
    // first, not end the
    // JVM with 143 as a member that vanished mid-migration.
    Stopper stopper = new Stopper();
    stopper.install();
    Worker worker =
        Worker.start(
            settings, TaskCatalog.load(Thread.currentThread().getContextClassLoader()), http);
    worker
        .hazelcast()
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) {
                stopper.stopped.countDown();
              }
            });
    stopper.started(worker);
    stopper.stopped.await();
    return 0;
  }

  /**
   * SIGTERM and Ctrl-C drain the worker and end {@link #call}, so the worker exits with 0 ("stopped
   * cleanly"), as documented; the JVM's own handling would exit with 143 or 130. The shutdown hook
   * covers any other way out. A stop asked for while the worker is still starting waits until it
   * has joined, then leaves at once; asked for twice then, it gives up the start (exit code 3).
   */
  private static final class Stopper {
    final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Worker> worker = new AtomicReference<>();
    private final AtomicInteger asked = new AtomicInteger();

    void install() {
      for (String name : List.of("TERM", "INT")) {
        try {
          Signal.handle(
              new Signal(name),
              signal -> Thread.ofPlatform().name("crew-stop-" + name).start(this::onSignal));
        } catch (IllegalArgumentException e) {
          // not a signal on this platform, or reserved by the JVM: the shutdown hook stops the
          // worker
        }
      }
      Runtime.getRuntime()
          .addShutdownHook(
              Thread.ofPlatform()
                  .name("crew-shutdown")
                  .unstarted(
                      () -> {
                        asked.incrementAndGet();
                        leave();
                      }));
    }

    void started(Worker started) {
      worker.set(started);
      if (asked.get() > 0) {
        LoggerFactory.getLogger(Worker.class)
            .info("asked to stop while starting: leaving the cluster now");
        leave();
      }
    }

    private void onSignal() {
      if (asked.incrementAndGet() > 1 && worker.get() == null) {
        System.err.println("worker: stopped before it had joined the cluster");
        System.exit(3);
      }
      leave();
    }

    private void leave() {
      Worker started = worker.get();
      if (started != null) {
        started.close();
        stopped.countDown();
      }
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }

  /**
   * Sets log levels from the number of {@code -v} flags; the defaults live in
   * crew-worker-logback.xml.
   */
  static void applyVerbosity(int level) {
    if (level >= 1) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.crew")).setLevel(Level.DEBUG);
    }
    if (level >= 2) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast"))
          .setLevel(Level.INFO);
    }
  }
}
