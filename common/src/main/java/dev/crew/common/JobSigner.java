package dev.crew.common;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs jobs and their tasks with HMAC-SHA256 under the cluster secret, and checks those
 * signatures.
 *
 * <p>Hazelcast open source has no authentication: anyone who reaches port 5701 can put objects in
 * the cluster. A worker therefore runs only what carries a valid signature, so only holders of the
 * secret can make it run anything. The signed content is length-prefixed field by field, so no two
 * different jobs or tasks share an encoding.
 *
 * <p>Safe for use by many threads: each keeps its own {@link Mac}, keyed once, as getting and
 * keying one costs more than the MAC of a small task.
 */
public final class JobSigner {
  private static final String ALGORITHM = "HmacSHA256";
  private static final String FINGERPRINT_LABEL = "crew secret fingerprint v1";
  private static final int FINGERPRINT_BYTES = 8;

  private final ThreadLocal<Mac> macs;
  private final Sealer sealer;

  private JobSigner(byte[] secret) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the cluster secret is empty");
    }
    SecretKeySpec key = new SecretKeySpec(secret, ALGORITHM);
    newMac(key); // fails here, not on first use, if this JDK cannot compute it
    this.macs = ThreadLocal.withInitial(() -> newMac(key));
    this.sealer = Sealer.of(secret);
  }

  /** What seals items, parameters and results under a key derived from the same secret. */
  public Sealer sealer() {
    return sealer;
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("this JDK cannot compute " + ALGORITHM, e);
    }
  }

  public static JobSigner of(String secret) {
    return new JobSigner(secret.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** The signature a job must carry; computed over everything in it but its state and progress. */
  public String sign(Job job) {
    return sign(SignedJob.of(job));
  }

  /**
   * The signature of a job's signed part ({@link SignedJob}); its own signature is not part of it.
   */
  private String sign(SignedJob job) {
    Content c = new Content(macs.get());
    c.text("job").text(job.id()).text(job.task()).text(job.lane().id());
    Map<String, String> sorted = new TreeMap<>(job.params());
    c.number(sorted.size());
    sorted.forEach((k, v) -> c.text(k).text(v));
    c.number(job.createdMillis()).number(job.retries()).number(job.timeoutMillis());
    // A pipeline's further stages; a job of one stage signs as it did before there were any.
    if (!job.then().isEmpty()) {
      c.text("then").number(job.then().size());
      for (Stage stage : job.then()) {
        c.text(stage.task()).text(stage.lane().id());
        Map<String, String> stageParams = new TreeMap<>(stage.params().values());
        c.number(stageParams.size());
        stageParams.forEach((k, v) -> c.text(k).text(v));
      }
    }
    return c.mac();
  }

  /**
   * The signature a task must carry: its job, position and items, and for a later stage of a
   * pipeline, the stage and the errors its items carry from the stages before.
   */
  public String sign(TaskChunk chunk) {
    Content c = new Content(macs.get());
    c.text("task")
        .text(chunk.jobId())
        .number(chunk.seq())
        .number(chunk.firstIndex())
        .number(chunk.count());
    if (chunk.items() == null) {
      c.text("range").number(chunk.rangeStart());
    } else {
      c.text("items");
      for (String item : chunk.items()) {
        c.text(item);
      }
    }
    if (chunk.stage() > 0) {
      c.text("stage").number(chunk.stage());
      String[] carried = chunk.carried();
      c.number(carried == null ? -1 : carried.length);
      if (carried != null) {
        for (String error : carried) {
          c.text(error == null ? "" : error).number(error == null ? 0 : 1);
        }
      }
      String[] earlier = chunk.earlier();
      c.number(earlier == null ? -1 : earlier.length);
      if (earlier != null) {
        for (String value : earlier) {
          c.text(value == null ? "" : value).number(value == null ? 0 : 1);
        }
      }
    }
    return c.mac();
  }

  /**
   * A short public token of the secret: the HMAC of a fixed label, cut to 64 bits, as hex. Members
   * publish it so that a worker or coordinator holding another secret (or none) finds out before it
   * sends or runs anything. It tells an onlooker no more than any signed job already does: both are
   * MACs under the secret, so a guess of the secret can be checked against either, never faster.
   */
  public String fingerprint() {
    byte[] mac = new Content(macs.get()).text(FINGERPRINT_LABEL).macBytes();
    return HexFormat.of().formatHex(mac, 0, FINGERPRINT_BYTES);
  }

  public boolean verify(Job job) {
    return verify(SignedJob.of(job));
  }

  public boolean verify(SignedJob job) {
    return matches(sign(job), job.signature());
  }

  public boolean verify(TaskChunk chunk) {
    return matches(sign(chunk), chunk.signature());
  }

  private static boolean matches(String expected, String actual) {
    return actual != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            actual.getBytes(StandardCharsets.US_ASCII));
  }

  /** Length-prefixed fields, fed straight to this thread's MAC. */
  private static final class Content {
    private final Mac mac;
    private final byte[] number = new byte[Long.BYTES];

    Content(Mac mac) {
      // A message that failed half-way (an item that cannot be encoded) leaves its bytes in the
      // MAC.
      mac.reset();
      this.mac = mac;
    }

    Content text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      number(b.length);
      mac.update(b);
      return this;
    }

    Content number(long n) {
      for (int i = Long.BYTES - 1; i >= 0; i--) {
        number[i] = (byte) n;
        n >>>= Byte.SIZE;
      }
      mac.update(number);
      return this;
    }

    String mac() {
      return Base64.getEncoder().withoutPadding().encodeToString(macBytes());
    }

    byte[] macBytes() {
      return mac.doFinal();
    }
  }
}
