package dev.crew.coordinator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The file named by {@code --out}, written beside it under a temporary name and moved into place
 * when the job ends: a job that never started (an unreachable cluster, refused input) or that broke
 * off leaves an existing file as it was, and a reader never sees half of one. A name that is a link
 * is followed (the link stays, the file it names is replaced); one that is not a regular file
 * ({@code /dev/null}, {@code /dev/stdout}, a named pipe) is written as the results come, since
 * there is no file to keep and moving one onto it would replace the device.
 */
final class OutputFile implements AutoCloseable {
  /** Where the results are written until the job ends, and the file they then replace. */
  private record Move(Path temporary, Path target) {}

  /** Empty when the results are written in place. */
  private final Optional<Move> move;

  private final Writer writer;
  private boolean committed;

  private OutputFile(Optional<Move> move, Writer writer) {
    this.move = move;
    this.writer = writer;
  }

  /**
   * Results written straight to {@code writer} (standard output); closing it must not close what it
   * writes to.
   */
  static OutputFile inPlace(Writer writer) {
    return new OutputFile(Optional.empty(), writer);
  }

  /** Creates the temporary file now, so an unwritable directory is refused before connecting. */
  static OutputFile open(String name) {
    Path given = Path.of(name).toAbsolutePath();
    if (Files.isDirectory(given)) {
      throw CrewException.usage("--out " + name + " is a directory, not a file");
    }
    try {
      if (Files.exists(given) && !Files.isRegularFile(given)) {
        return inPlace(writer(Files.newOutputStream(given, StandardOpenOption.WRITE)));
      }
      Path target = Files.exists(given) ? given.toRealPath() : given;
      // Not createTempFile: its owner-only permissions would replace the file's own or the umask's.
      Path temporary =
          target.resolveSibling(
              "." + target.getFileName() + "." + Long.toString(System.nanoTime(), 36) + ".partial");
      Writer writer =
          writer(
              Files.newOutputStream(
                  temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      if (Files.exists(target)) {
        copyPermissions(target, temporary);
      }
      return new OutputFile(Optional.of(new Move(temporary, target)), writer);
    } catch (IOException | RuntimeException e) {
      throw CrewException.usage("--out " + name + ": cannot write it (" + e.getMessage() + ")");
    }
  }

  private static Writer writer(OutputStream out) {
    return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
  }

  private static void copyPermissions(Path from, Path to) {
    try {
      Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system, or not ours to change: the new file keeps the default ones.
    }
  }

  Writer writer() {
    return writer;
  }

  /** Moves what was written into place, replacing the file there, in one step where it can. */
  void commit() throws IOException {
    writer.close();
    if (move.isPresent()) {
      Move m = move.get();
      try {
        Files.move(
            m.temporary(),
            m.target(),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(m.temporary(), m.target(), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    committed = true;
  }

  /** Deletes the temporary file unless it was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      writer.close();
      if (move.isPresent()) {
        Files.deleteIfExists(move.get().temporary());
      }
    }
  }
}
