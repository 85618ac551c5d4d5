package dev.crew.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Where the cluster secret comes from: a file ({@code --secret-file}) or the {@code CREW_SECRET}
 * variable.
 */
public final class ClusterSecret {
  private ClusterSecret() {}

  /**
   * The signer for the secret in {@code file} (its content, trimmed) if given, else in {@code
   * value}; empty when neither is set.
   */
  public static Optional<JobSigner> load(String file, String value) {
    if (file != null && !file.isBlank()) {
      try {
        String secret = Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
          throw new IllegalArgumentException("--secret-file " + file + " is empty");
        }
        return Optional.of(JobSigner.of(secret));
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("--secret-file " + file + ": no such file");
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--secret-file " + file + ": cannot read it (" + e.getMessage() + ")");
      }
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(JobSigner.of(value));
  }

  /** A fresh random secret, for a private cluster such as the coordinator's embedded worker. */
  public static String random() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
