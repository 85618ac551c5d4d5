package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SealerTest {
  private static final byte[] SECRET =
      "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
  private final Sealer sealer = Sealer.of(SECRET);
  private final byte[] context = Sealer.context("result", "job-1", 7L, 3);

  @Test
  void seal_opensWithTheSameSecretAndContext() {
    byte[] plain = "fib(35) = 9227465".getBytes(StandardCharsets.UTF_8);

    byte[] sealed = sealer.seal(plain, context);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("9227465");
    assertThat(Sealer.of(SECRET).open(sealed, context)).isEqualTo(plain);
  }

  @Test
  void open_refusesAnotherSecretAnotherContextOrAChangedByte() {
    byte[] sealed = sealer.seal(new byte[] {1, 2, 3}, context);

    assertThat(Sealer.of("another secret".getBytes(StandardCharsets.UTF_8)).open(sealed, context))
        .isNull();
    assertThat(sealer.open(sealed, Sealer.context("result", "job-1", 8L, 3))).isNull();
    for (int i = 0; i < sealed.length; i++) {
      byte[] changed = sealed.clone();
      changed[i] ^= 1;
      assertThat(sealer.open(changed, context)).as("byte %d changed", i).isNull();
    }
    assertThat(sealer.open(new byte[5], context)).isNull();
  }

  @Test
  void seal_isTheSameForTheSameValueAndContext_andUsesAnotherNonceOtherwise() {
    byte[] plain = {1, 2, 3};
    Set<String> nonces = new HashSet<>();

    assertThat(sealer.seal(plain, context)).isEqualTo(Sealer.of(SECRET).seal(plain, context));
    assertThat(sealer.seal(plain, context)).isEqualTo(sealer.seal(plain, context));
    for (int i = 0; i < 10_000; i++) {
      byte[] sealed = sealer.seal(Integer.toString(i).getBytes(StandardCharsets.UTF_8), context);
      nonces.add(HexFormat.of().formatHex(sealed, 1, 13));
    }
    nonces.add(HexFormat.of().formatHex(sealer.seal(plain, Sealer.context("other")), 1, 13));
    assertThat(nonces).hasSize(10_001);
  }

  @Test
  void sealStrings_keepsNullArraysNullElementsAndEmptyStrings() {
    String[][] arrays = {{"a", null, "", "ünï\u0000"}, null, {}};

    String[][] back = sealer.openStrings(sealer.sealStrings(context, arrays), context, 3);

    assertThat(back).isDeepEqualTo(arrays);
  }

  @Test
  void sealStrings_sealsEachArraysLengthThenEachTextsUtf8_asStoredSealsHold() {
    // Text past ASCII anywhere: first, amid ASCII, a pair of surrogates, a lone one (sealed as
    // '?', as the JDK encodes it), and long enough to outgrow the room that ASCII would take.
    String wide = "ü".repeat(3_000) + "\uD83D\uDE00" + "x\uD800y";
    String[][] arrays = {
      {"1", "ab\u00e9cd", null, "", wide, "plain", "2"}, null, {"\u4e2d", "z"}, {}
    };
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(expected);
    try {
      for (String[] array : arrays) {
        out.writeInt(array == null ? -1 : array.length);
        for (String s : array == null ? new String[0] : array) {
          byte[] bytes = s == null ? null : s.getBytes(StandardCharsets.UTF_8);
          out.writeInt(bytes == null ? -1 : bytes.length);
          out.write(bytes == null ? new byte[0] : bytes);
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }

    byte[] sealed = sealer.sealStrings(context, arrays);

    assertThat(sealer.open(sealed, context)).isEqualTo(expected.toByteArray());
    assertThat(sealer.openStrings(sealed, context, 4)[0][4])
        .isEqualTo("ü".repeat(3_000) + "\uD83D\uDE00" + "x?y");
  }

  @Test
  void context_tellsApartPartsThatConcatenateAlike() {
    Set<String> seen = new HashSet<>();
    seen.add(HexFormat.of().formatHex(Sealer.context("ab", "c")));
    seen.add(HexFormat.of().formatHex(Sealer.context("a", "bc")));
    seen.add(HexFormat.of().formatHex(Sealer.context(1L)));
    seen.add(HexFormat.of().formatHex(Sealer.context("1")));
    assertThat(seen).hasSize(4);
  }

  @Test
  void hkdf_givesRfc5869TestCase1() {
    HexFormat hex = HexFormat.of();
    byte[] okm =
        Sealer.hkdf(
            hex.parseHex("000102030405060708090a0b0c"),
            hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            hex.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertThat(hex.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void of_refusesAnEmptySecret() {
    assertThatThrownBy(() -> Sealer.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void context_isEachPartsLengthThenItsBytes_asStoredSealsWereBoundTo() {
    // Seals already stored open only under the same context bytes: the encoding never changes.
    assertThat(HexFormat.of().formatHex(Sealer.context("é", 258L, -1, true, false)))
        .isEqualTo(
            "00000002c3a9"
                + "00000008"
                + "0000000000000102"
                + "00000008"
                + "ffffffffffffffff"
                + "0000000101"
                + "0000000100");
    assertThat(Sealer.context()).isEmpty();
    assertThatThrownBy(() -> Sealer.context("job", 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
  }
}
