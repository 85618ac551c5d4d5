package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digest, in hex, of the file each item names (a path on the worker that runs it). */
public final class Sha256Task implements Task {

  @Override
  public String name() {
    return "sha256";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public String description() {
    return "hex SHA-256 of a file (item: a path on the worker)";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return Sha256Task::digest;
  }

  static String digest(String item) throws IOException {
    Path path;
    try {
      path = Path.of(item.trim());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a path: '" + item + "'");
    }
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("is a directory: " + path);
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(path)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + path);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("permission denied: " + path);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
