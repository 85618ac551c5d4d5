package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobSignerTest {
  private static final String SECRET = "correct-horse-battery-staple";

  @Test
  void fingerprint_sameSecret_sameValue() {
    assertThat(JobSigner.of(SECRET).fingerprint())
        .isEqualTo(JobSigner.of(SECRET).fingerprint())
        .isEqualTo(JobSigner.of("  " + SECRET + "\n").fingerprint()); // as a secret file holds it
  }

  @Test
  void fingerprint_otherSecret_otherValue() {
    assertThat(JobSigner.of(SECRET).fingerprint())
        .isNotEqualTo(JobSigner.of(SECRET + "x").fingerprint())
        .isNotEqualTo(JobSigner.of("x").fingerprint());
  }

  @Test
  void fingerprint_shortHex_notTheSecretNorItsSignatures() {
    JobSigner signer = JobSigner.of(SECRET);
    String fingerprint = signer.fingerprint();

    assertThat(fingerprint).matches("[0-9a-f]{16}");
    assertThat(fingerprint).doesNotContain(SECRET.substring(0, 6));
    String job = signer.sign(Job.submitting("j", "fib", Lane.CPU, Params.NONE, 1L));
    assertThat(job).doesNotContain(fingerprint);
  }

  @Test
  void fingerprint_noSecret_isNone() {
    assertThat(SecretFingerprint.of(Optional.empty())).isEqualTo("none");
    assertThat(SecretFingerprint.of(Optional.of(JobSigner.of(SECRET))))
        .isEqualTo(JobSigner.of(SECRET).fingerprint());
  }

  @Test
  void resultTask_ofSignedTask_verifies_withOtherItems_doesNot() {
    JobSigner signer = JobSigner.of(SECRET);
    TaskChunk chunk = TaskChunk.ofItems("job", 3, 30, new String[] {"a", "b"});
    chunk = chunk.withSignature(signer.sign(chunk)).nextAttempt();
    TaskResult failed =
        TaskResult.of(chunk, "w", 1L, new String[] {"1", null}, new String[] {null, "boom"})
            .asConsumed();

    assertThat(signer.verify(failed.task())).isTrue();
    failed.items()[1] = "rm -rf /";
    assertThat(signer.verify(failed.task())).isFalse();
  }

  @Test
  void resultTask_ofUnsignedTask_doesNotVerify() {
    TaskChunk chunk = TaskChunk.ofRange("job", 0, 0, 1, 1);
    TaskResult failed = TaskResult.of(chunk, "w", 1L, new String[] {null}, new String[] {"boom"});

    assertThat(JobSigner.of(SECRET).verify(failed.task())).isFalse();
  }
}
