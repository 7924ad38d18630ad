package dev.oidcsession.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 and HMAC-SHA-256 helpers over the JDK providers. Not API. */
public final class Digests {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  /**
   * One HMAC-SHA-256 instance per thread: {@link Mac#getInstance} looks the provider up each time,
   * a large part of deriving a session's keys on every request. Each use starts with {@code init}.
   */
  private static final ThreadLocal<Mac> HMACS = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  });

  private Digests() {}

  /** SHA-256 of the UTF-8 bytes of {@code text}, as lower-case hex. */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** HMAC-SHA-256 of {@code message} under {@code key}. */
  public static byte[] hmacSha256(byte[] key, byte[] message) {
    try {
      Mac mac = HMACS.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  /** Base64url without padding. */
  public static String base64Url(byte[] bytes) {
    return BASE64URL.encodeToString(bytes);
  }
}
