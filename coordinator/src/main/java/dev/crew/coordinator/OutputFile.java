package dev.crew.coordinator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file named by {@code --out}, written beside it under a temporary name and moved into place
 * when the job ends: a job that never started (an unreachable cluster, refused input) or that broke
 * off leaves an existing file as it was, and a reader never sees half of one.
 */
final class OutputFile implements AutoCloseable {
  private final Path target;
  private final Path temporary;
  private final Writer writer;
  private boolean committed;

  private OutputFile(Path target, Path temporary, Writer writer) {
    this.target = target;
    this.temporary = temporary;
    this.writer = writer;
  }

  /** Creates the temporary file now, so an unwritable directory is refused before connecting. */
  static OutputFile open(String name) {
    Path target = Path.of(name).toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw CrewException.usage("--out " + name + " is a directory, not a file");
    }
    try {
      // Not createTempFile: its owner-only permissions would replace the file's own or the umask's.
      Path temporary =
          target.resolveSibling(
              "." + target.getFileName() + "." + Long.toString(System.nanoTime(), 36) + ".partial");
      Writer writer =
          new BufferedWriter(
              new OutputStreamWriter(
                  Files.newOutputStream(
                      temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  StandardCharsets.UTF_8),
              1 << 16);
      if (Files.exists(target)) {
        copyPermissions(target, temporary);
      }
      return new OutputFile(target, temporary, writer);
    } catch (IOException | RuntimeException e) {
      throw CrewException.usage("--out " + name + ": cannot write it (" + e.getMessage() + ")");
    }
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
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  /** Deletes the temporary file unless it was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      writer.close();
      Files.deleteIfExists(temporary);
    }
  }
}
