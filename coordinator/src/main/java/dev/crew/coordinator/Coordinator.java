package dev.crew.coordinator;

import ch.qos.logback.classic.Level;
import dev.crew.client.job.JobRefusedException;
import dev.crew.common.LogFormat;
import dev.crew.common.TerminalText;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code coordinator}: the Crew command line. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    version = "crew coordinator 0.1.0",
    header =
        "Run jobs on a Crew cluster: split the input into tasks, queue them, stream the results back.",
    description = {
      "Every command but 'run' talks to a cluster of workers (see --connect); 'run' starts its own in-process",
      "worker and needs nothing else."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every item succeeded",
      "1:some items failed (all the others were delivered)",
      "2:bad usage or refused input, found before anything was queued (stdin: in its first 4 MiB)",
      "3:the cluster could not be reached",
      "4:the job was cancelled, or an unexpected error stopped the coordinator",
      "5:refused: the workers hold another cluster secret, or a job to retry is not signed with it"
    },
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      SubmitCommand.class,
      StatusCommand.class,
      ResultsCommand.class,
      RetryCommand.class,
      CancelCommand.class,
      PurgeCommand.class,
      ClusterCommand.class,
      JobsCommand.class,
      TopCommand.class,
      DashboardCommand.class,
      TasksCommand.class,
      TrainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Coordinator {

  @Mixin ClusterOptions cluster;

  public static void main(String[] args) {
    // Hazelcast logs its first lines before it reads its config: route those through SLF4J too.
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty(
        "logback.configurationFile",
        System.getProperty("logback.configurationFile", "crew-coordinator-logback.xml"));
    LogFormat.of(java.util.List.of(args), System.getenv("CREW_LOG_FORMAT")).apply();
    CommandLine cli = commandLine();
    cli.setOut(
        new PrintWriter(
            new BufferedWriter(
                new OutputStreamWriter(
                    new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8),
                1 << 16),
            /* autoFlush= */ false));
    int code = cli.execute(args);
    cli.getOut().flush();
    System.exit(code);
  }

  /** The command line with Crew's error handling; tests give it their own output streams. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Coordinator());
    cli.setCaseInsensitiveEnumValuesAllowed(true); // --log-format JSON as well as json
    // Shell completion generated from this command line: source <(coordinator completion)
    CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
    completion.getCommandSpec().usageMessage().hidden(false);
    cli.addSubcommand("completion", completion);
    cli.setExecutionStrategy(
        parseResult -> {
          applyVerbosity(maxVerbosity(parseResult));
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          commandLine.getOut().flush();
          // Messages quote ids, names and items from the cluster: one line, no control characters.
          err.println("coordinator: " + TerminalText.of(messageOf(e)));
          if (maxVerbosity(parseResult) > 0) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            trace.toString().lines().map(TerminalText::of).forEach(err::println);
          }
          err.flush();
          if (e instanceof CrewException crew) {
            return crew.exitCode();
          }
          if (e instanceof JobRefusedException) {
            return ExitCodes.REFUSED;
          }
          return e instanceof IllegalArgumentException ? ExitCodes.USAGE : ExitCodes.NOT_COMPLETED;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          String message = e.getMessage().replaceFirst("^Error: ", "");
          err.println(
              "coordinator: "
                  + TerminalText.of(message)
                  + " (see: coordinator "
                  + subcommandPath(e.getCommandLine())
                  + "--help)");
          err.flush();
          return ExitCodes.USAGE;
        });
    return cli;
  }

  private static String subcommandPath(CommandLine commandLine) {
    return commandLine.getParent() == null ? "" : commandLine.getCommandName() + " ";
  }

  static String messageOf(Throwable e) {
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static int maxVerbosity(CommandLine.ParseResult parseResult) {
    // Inherited options are bound to the top command's fields wherever they appear on the line.
    return parseResult.commandSpec().userObject() instanceof Coordinator c
        ? c.cluster.verbosity()
        : 0;
  }

  /**
   * Log levels from the number of {@code -v}; the quiet defaults live in
   * crew-coordinator-logback.xml.
   */
  static void applyVerbosity(int level) {
    if (level >= 1) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.crew")).setLevel(Level.DEBUG);
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast"))
          .setLevel(Level.WARN);
    }
    if (level >= 2) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast"))
          .setLevel(Level.INFO);
    }
  }
}
