package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class JobSignerTest {
  private static final String SECRET = "correct-horse-battery-staple";

  // Signed by the signer before it kept a MAC per thread: coordinators and workers of either
  // version must agree on every signature.
  private static final Job JOB =
      new Job(
          "job-1",
          "fib",
          Lane.IO,
          new Params(Map.of("b", "2", "a", "\u00fc")),
          JobState.RUNNING,
          1_700_000_000_123L,
          10,
          5,
          3,
          2500,
          "");
  private static final String JOB_SIGNATURE = "+lf/TrUi0qRT4kIfC0t2PInpfdfjlmpzteIBwjsFWxI";
  private static final TaskChunk RANGE = TaskChunk.ofRange("job-1", 7, 70, 1000, 10);
  private static final String RANGE_SIGNATURE = "f1TsJk4Ioy6zTLB/5SoSEYOTzEgeG9E4vcDvE6HW/IY";
  private static final String ITEMS_SIGNATURE = "dEM10YCZ8iS0+YCvZIv4iClRAnAInSRmbBirTKTP55o";

  private static TaskChunk items() {
    return TaskChunk.ofItems("job-1", 8, 80, new String[] {"a", "", "\u00e9 x"});
  }

  @Test
  void sign_sameSignaturesAsEver() {
    JobSigner signer = JobSigner.of(SECRET);

    assertThat(signer.sign(JOB)).isEqualTo(JOB_SIGNATURE);
    assertThat(signer.sign(RANGE)).isEqualTo(RANGE_SIGNATURE);
    assertThat(signer.sign(items())).isEqualTo(ITEMS_SIGNATURE);
    assertThat(signer.fingerprint()).isEqualTo("465e71ac678ec4e8");
    assertThat(signer.verify(JOB.withSignature(JOB_SIGNATURE))).isTrue();
    assertThat(signer.verify(SignedJob.of(JOB.withSignature(JOB_SIGNATURE)))).isTrue();
  }

  @Test
  void sign_afterAMessageFailedHalfWay_unaffected() {
    JobSigner signer = JobSigner.of(SECRET);
    TaskChunk broken = items();
    broken.items()[2] = null; // fed "a" and "" to the MAC before failing

    assertThatThrownBy(() -> signer.sign(broken)).isInstanceOf(NullPointerException.class);

    assertThat(signer.sign(RANGE)).isEqualTo(RANGE_SIGNATURE);
  }

  @Test
  void sign_manyThreadsAtOnce_eachGetsTheSignatureOfItsOwnMessage() throws Exception {
    JobSigner signer = JobSigner.of(SECRET);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean range = t % 2 == 0;
        all.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    String signature = range ? signer.sign(RANGE) : signer.sign(items());
                    if (!signature.equals(range ? RANGE_SIGNATURE : ITEMS_SIGNATURE)) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      start.countDown();
      for (Future<Boolean> each : all) {
        assertThat(each.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void verify_signedJob_changedInAnySignedField_fails() {
    JobSigner signer = JobSigner.of(SECRET);
    SignedJob signed = SignedJob.of(JOB.withSignature(JOB_SIGNATURE));

    assertThat(signer.verify(signed)).isTrue();
    assertThat(signer.verify(SignedJob.of(JOB.withPolicy(4, 2500).withSignature(JOB_SIGNATURE))))
        .isFalse();
    assertThat(
            signer.verify(
                new SignedJob(
                    signed.id(),
                    signed.task(),
                    signed.lane(),
                    Map.of("b", "2", "a", "u"),
                    signed.createdMillis(),
                    signed.retries(),
                    signed.timeoutMillis(),
                    signed.signature())))
        .isFalse();
    // Progress is not signed.
    assertThat(signer.verify(JOB.queued(99, 99).withSignature(JOB_SIGNATURE))).isTrue();
  }

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
