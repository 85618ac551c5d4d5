package dev.crew.common;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Seals what a task carries (items, parameters, results) with AES-256-GCM under a key derived from
 * the cluster secret (HKDF-SHA256, never the secret itself): a party without the secret sees only
 * ciphertext, and cannot make a sealed value that opens. The associated data binds each sealed
 * value to the record around it (its job, task and attempt), so it cannot be moved to another.
 *
 * <p>The nonce is synthetic: an HMAC, under a second derived key, of the context and the plain
 * text. Sealing is therefore deterministic (the same value in the same record seals to the same
 * bytes), which Hazelcast needs, since it compares stored values by their bytes ({@code replace(k,
 * expected, update)}, {@code remove(k, v)}); it tells an onlooker only that two sealed values are
 * equal. Two different values share a nonce only by a 96-bit collision. Safe for use by many
 * threads.
 */
public final class Sealer {
  private static final String KEY_LABEL = "crew payload key v1";
  private static final String NONCE_KEY_LABEL = "crew payload nonce key v1";
  private static final byte[] SALT = "crew hkdf salt v1".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int VERSION = 1;

  /** The most plain text one seal takes: an array's size, less room for the nonce and tag. */
  private static final int MAX_PLAIN = Integer.MAX_VALUE - 64;

  private final SecretKeySpec key;
  private final SecretKeySpec nonceKey;

  /**
   * Ciphers and MACs not in use: taken for one seal or open and given back. Pooled, not per thread:
   * the I/O lane's virtual threads come and go by the thousand.
   */
  private final ConcurrentLinkedQueue<State> idle = new ConcurrentLinkedQueue<>();

  private final class State {
    final Cipher cipher;
    final Mac mac;

    /**
     * The nonce of this cipher's last seal: the JDK refuses to encrypt twice in a row with one key
     * and nonce, and a synthetic nonce repeats exactly when the value does.
     */
    byte @Nullable [] lastNonce;

    State() {
      try {
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        this.mac = Mac.getInstance("HmacSHA256");
        mac.init(nonceKey);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot compute AES-GCM and HMAC-SHA256", e);
      }
    }

    byte[] nonce(byte[] plain, byte[] context) {
      mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(context.length).array());
      mac.update(context);
      mac.update(plain);
      return Arrays.copyOf(mac.doFinal(), NONCE_BYTES);
    }
  }

  private Sealer(byte[] key, byte[] nonceKey) {
    this.key = new SecretKeySpec(key, "AES");
    this.nonceKey = new SecretKeySpec(nonceKey, "HmacSHA256");
    seal(new byte[0], new byte[0]); // fails here, not on first use, if this JDK cannot
  }

  /** A sealer under the key derived from {@code secret}. */
  public static Sealer of(byte[] secret) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the cluster secret is empty");
    }
    return new Sealer(
        hkdf(SALT, secret, KEY_LABEL.getBytes(StandardCharsets.UTF_8), 32),
        hkdf(SALT, secret, NONCE_KEY_LABEL.getBytes(StandardCharsets.UTF_8), 32));
  }

  /** HKDF-SHA256 (RFC 5869): extract {@code secret} with {@code salt}, expand with {@code info}. */
  static byte[] hkdf(byte[] salt, byte[] secret, byte[] info, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(secret);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] block = new byte[0];
      for (int done = 0, i = 1; done < length; i++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) i);
        block = mac.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot compute HMAC-SHA256", e);
    }
  }

  /** {@code plain} sealed, bound to {@code context}: version, nonce, ciphertext and tag. */
  public byte[] seal(byte[] plain, byte[] context) {
    State state = take();
    try {
      byte[] nonce = state.nonce(plain, context);
      if (Arrays.equals(nonce, state.lastNonce)) {
        // The same value sealed again seals to the same bytes: past the JDK's guard against
        // reuse by way of another nonce, never used to encrypt.
        byte[] other = nonce.clone();
        other[0] ^= 1;
        state.cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, other));
      }
      state.cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      state.lastNonce = nonce;
      state.cipher.updateAAD(context);
      byte[] sealed = new byte[1 + NONCE_BYTES + state.cipher.getOutputSize(plain.length)];
      sealed[0] = VERSION;
      System.arraycopy(nonce, 0, sealed, 1, NONCE_BYTES);
      state.cipher.doFinal(plain, 0, plain.length, sealed, 1 + NONCE_BYTES);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to seal", e);
    } finally {
      idle.offer(state);
    }
  }

  private State take() {
    State state = idle.poll();
    return state != null ? state : new State();
  }

  /**
   * What {@link #seal} sealed with {@code context}, or null when {@code sealed} was not sealed by a
   * holder of this secret for this context (forged, changed, moved or cut short).
   */
  public byte @Nullable [] open(byte[] sealed, byte[] context) {
    requireNonNull(sealed, "sealed");
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
      return null;
    }
    State state = take();
    Cipher cipher = state.cipher;
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
      cipher.updateAAD(context);
      return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed to open", e);
    } finally {
      idle.offer(state);
    }
  }

  /** Arrays of strings (any may be null, as may their elements) sealed as one value. */
  public byte[] sealStrings(byte[] context, String[][] arrays) {
    return seal(Strings.encode(arrays), context);
  }

  /**
   * The {@code arrays} arrays of strings {@link #sealStrings} sealed with {@code context}, or null
   * when they do not open.
   */
  public @Nullable String @Nullable [] @Nullable [] openStrings(
      byte[] sealed, byte[] context, int arrays) {
    byte[] plain = open(sealed, context);
    return plain == null ? null : Strings.decode(plain, arrays);
  }

  /**
   * The length-prefixed encoding of parts, used as a sealed value's context: each part's length (4
   * bytes, big-endian), then its bytes (a string's UTF-8, a number's 8 bytes big-endian, a
   * boolean's one byte). Built in one array: every result a coordinator reads names one.
   */
  public static byte[] context(Object... parts) {
    byte[][] strings = new byte[parts.length][];
    int size = 0;
    for (int i = 0; i < parts.length; i++) {
      size +=
          Integer.BYTES
              + switch (parts[i]) {
                case String s -> (strings[i] = s.getBytes(StandardCharsets.UTF_8)).length;
                case Long n -> Long.BYTES;
                case Integer n -> Long.BYTES;
                case Boolean b -> 1;
                default ->
                    throw new IllegalArgumentException("no context encoding for " + parts[i]);
              };
    }
    byte[] out = new byte[size];
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      switch (parts[i]) {
        case String s -> {
          byte[] bytes = strings[i];
          BIG_INT.set(out, at, bytes.length);
          System.arraycopy(bytes, 0, out, at + Integer.BYTES, bytes.length);
          at += Integer.BYTES + bytes.length;
        }
        case Long n -> at = putLong(out, at, n);
        case Integer n -> at = putLong(out, at, n);
        case Boolean b -> {
          BIG_INT.set(out, at, 1);
          out[at + Integer.BYTES] = (byte) (b ? 1 : 0);
          at += Integer.BYTES + 1;
        }
        default -> throw new IllegalArgumentException("no context encoding for " + parts[i]);
      }
    }
    return out;
  }

  private static int putLong(byte[] out, int at, long n) {
    BIG_INT.set(out, at, Long.BYTES);
    BIG_LONG.set(out, at + Integer.BYTES, n);
    return at + Integer.BYTES + Long.BYTES;
  }

  private static final VarHandle BIG_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle BIG_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Length-prefixed arrays of nullable UTF-8 strings; -1 stands for null. */
  private static final class Strings {
    private Strings() {}

    /**
     * Written straight into one array, sized exactly for ASCII text (most items and JSON values): a
     * result of a large chunk holds hundreds of thousands of texts, each a few bytes, so a stream's
     * per-write cost and a final copy would be most of the work. Other text is encoded by the JDK,
     * and the array grows for it.
     */
    static byte[] encode(String[][] arrays) {
      long size = 0;
      for (String[] array : arrays) {
        size += Integer.BYTES;
        if (array != null) {
          for (String s : array) {
            size += Integer.BYTES + (s == null ? 0 : s.length());
          }
        }
      }
      if (size > MAX_PLAIN) {
        throw new IllegalArgumentException("texts of " + size + " bytes are too large to seal");
      }
      byte[] out = new byte[(int) size];
      int at = 0;
      for (String[] array : arrays) {
        BIG_INT.set(out, at, array == null ? -1 : array.length);
        at += Integer.BYTES;
        if (array == null) {
          continue;
        }
        for (String s : array) {
          if (s == null) {
            BIG_INT.set(out, at, -1);
            at += Integer.BYTES;
            continue;
          }
          int length = s.length();
          int start = at + Integer.BYTES;
          int ascii = 0;
          while (ascii < length) {
            char c = s.charAt(ascii);
            if (c >= 0x80) {
              break;
            }
            out[start + ascii++] = (byte) c;
          }
          if (ascii == length) {
            BIG_INT.set(out, at, length);
            at = start + length;
          } else {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            long needed = (long) start + bytes.length + (out.length - (start + (long) length));
            if (needed > out.length) {
              if (needed > MAX_PLAIN) {
                throw new IllegalArgumentException("texts are too large to seal");
              }
              out =
                  Arrays.copyOf(out, (int) Math.min(MAX_PLAIN, Math.max(needed, 2L * out.length)));
            }
            BIG_INT.set(out, at, bytes.length);
            System.arraycopy(bytes, 0, out, start, bytes.length);
            at = start + bytes.length;
          }
        }
      }
      return at == out.length ? out : Arrays.copyOf(out, at);
    }

    static @Nullable String @Nullable [] @Nullable [] decode(byte[] plain, int arrays) {
      ByteBuffer in = ByteBuffer.wrap(plain);
      String[][] out = new String[arrays][];
      try {
        for (int a = 0; a < arrays; a++) {
          int length = in.getInt();
          if (length >= 0) {
            String[] array = new String[length];
            for (int i = 0; i < length; i++) {
              int bytes = in.getInt();
              if (bytes >= 0) {
                array[i] = new String(plain, in.position(), bytes, StandardCharsets.UTF_8);
                in.position(in.position() + bytes);
              }
            }
            out[a] = array;
          }
        }
      } catch (RuntimeException e) {
        return null; // opened, so sealed by a holder of the secret: not reached unless a bug
      }
      return in.hasRemaining() ? null : out;
    }
  }
}
