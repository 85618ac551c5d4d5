package dev.crew.client.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A job's input summed up in a SHA-256 digest of its items, so that a resubmission under the same
 * {@code --job-id} can tell the same input from another one. It is taken over the items, not the
 * bytes: the same lines with CRLF or LF ends, with or without a byte-order mark, are the same
 * input, from a file or from standard input.
 */
final class InputDigest {
  private InputDigest() {}

  /** A digest under way, started with the kind of input, so a range and a file never match. */
  static MessageDigest start(String kind) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((kind + "\n").getBytes(StandardCharsets.UTF_8));
      return digest;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** The digest so far, as text; {@code digest} can go on being updated. */
  static String finish(MessageDigest digest) {
    try {
      MessageDigest copy = (MessageDigest) digest.clone();
      return Base64.getUrlEncoder().withoutPadding().encodeToString(copy.digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests cannot be copied on this JDK", e);
    }
  }

  static String ofRange(long first, long last) {
    MessageDigest digest = start("range");
    digest.update((first + ".." + last).getBytes(StandardCharsets.UTF_8));
    return finish(digest);
  }
}
