package dev.crew.coordinator;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a job is being submitted, Ctrl-C (SIGINT) and SIGTERM first run an action (ending the job
 * cleanly), then exit with 128 + the signal's number, as the default handling would have.
 */
final class StopSignals implements AutoCloseable {
  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  private StopSignals() {}

  static StopSignals install(Runnable beforeExit) {
    StopSignals installed = new StopSignals();
    for (String name : List.of("INT", "TERM")) {
      try {
        Signal signal = new Signal(name);
        SignalHandler old =
            Signal.handle(
                signal,
                s ->
                    Thread.ofPlatform()
                        .name("crew-stop-" + name)
                        .start(
                            () -> {
                              beforeExit.run();
                              System.exit(128 + s.getNumber());
                            }));
        installed.signals.add(signal);
        installed.previous.add(old);
      } catch (IllegalArgumentException e) {
        // Not a signal on this platform, or reserved by the JVM: the default handling stays.
      }
    }
    return installed;
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      Signal.handle(signals.get(i), previous.get(i));
    }
  }
}
