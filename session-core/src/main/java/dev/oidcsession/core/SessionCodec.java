package dev.oidcsession.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Turns a session into the bytes a store keeps and back: stored format 2, a compact binary body
 * encrypted with AES-256-GCM (the JDK's {@link Cipher}) under the handle's derived key.
 *
 * <p>Layout of a stored value:
 *
 * <pre>0x02 | IV (12 bytes, random) | ciphertext | GCM tag (16 bytes)</pre>
 *
 * The associated data is the format version byte followed by the store key's ASCII characters, so
 * a value copied under another session's key, or presented as another format version, fails
 * authentication and decodes to empty.
 *
 * <p>The plaintext body, big-endian; a string is a 4-byte length and that many UTF-8 bytes, a time
 * is 8 bytes of epoch milliseconds:
 *
 * <pre>flags(1: 1 accessExpiry, 2 refresh, 4 sid, 8 idTokenSid) access accessExpiry?
 * idToken idTokenIssuer idTokenSubject audienceCount(4) audience* idTokenExpiry idTokenSid?
 * refresh? scope createdAt renewedAt lastSeenAt expiresAt renewAt sid? attributeCount(4)
 * (name value)*</pre>
 *
 * The ID token's claims that a session uses are stored next to it, as read when it was validated,
 * so decoding does not parse the JWT (its other claims are read on demand, see {@link
 * IdToken#claims()}).
 *
 * A value that fails to decrypt, is truncated, is not this format or names another version decodes
 * to empty: for the user that is a clean logout, never an error page. A value of format 1 (a
 * compact JWE, written before 0.1.0's format 2) is recognised by {@link #isRetiredFormat} so the
 * session can end with {@link EndReason#STORED_FORMAT_RETIRED}.
 */
final class SessionCodec {

  /** The first byte of every value of this format. */
  static final byte FORMAT_VERSION = 2;

  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final int HEADER_BYTES = 1 + IV_BYTES;
  private static final int FLAG_ACCESS_EXPIRY = 1;
  private static final int FLAG_REFRESH = 2;
  private static final int FLAG_SID = 4;
  private static final int FLAG_ID_TOKEN_SID = 8;
  private static final int FLAGS = FLAG_ACCESS_EXPIRY | FLAG_REFRESH | FLAG_SID | FLAG_ID_TOKEN_SID;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final SecureRandom IVS = new SecureRandom();
  /**
   * One cipher per thread: {@link Cipher#getInstance} looks the provider up each time, which cost
   * more than the decryption of a session in the profile. Each use starts with {@code init}.
   */
  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has " + TRANSFORMATION, e);
    }
  });

  private SessionCodec() {}

  /** The stored value of {@code session} under {@code key}, bound to the session's store key. */
  static byte[] encode(Session session, SecretKey key) {
    byte[] body = body(session);
    byte[] iv = new byte[IV_BYTES];
    IVS.nextBytes(iv);
    byte[] out = new byte[HEADER_BYTES + body.length + TAG_BYTES];
    out[0] = FORMAT_VERSION;
    System.arraycopy(iv, 0, out, 1, IV_BYTES);
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
      cipher.updateAAD(associatedData(session.key()));
      int written = cipher.doFinal(body, 0, body.length, out, HEADER_BYTES);
      if (written != body.length + TAG_BYTES) {
        throw new IllegalStateException("AES-256-GCM wrote " + written + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM encryption failed", e);
    }
    return out;
  }

  /**
   * Decodes an entry, or returns empty if it is not of this format, does not authenticate under
   * {@code key} and the entry's store key, or its body is malformed. Never throws for bad input.
   */
  static Optional<Session> decode(StoredEntry entry, SecretKey key) {
    byte[] value = entry.bytes();
    if (value.length < HEADER_BYTES + TAG_BYTES || value[0] != FORMAT_VERSION) {
      return Optional.empty();
    }
    byte[] body;
    try {
      Cipher cipher = CIPHERS.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, value, 1, IV_BYTES));
      cipher.updateAAD(associatedData(entry.key()));
      body = cipher.doFinal(value, HEADER_BYTES, value.length - HEADER_BYTES);
    } catch (GeneralSecurityException | RuntimeException e) {
      // Tampered, truncated, wrong key or store key: the caller logs at debug.
      return Optional.empty();
    }
    try {
      return Optional.of(session(entry, new Reader(body)));
    } catch (RuntimeException e) {
      // Authenticated but not a body this reader understands (a writer bug): no session.
      return Optional.empty();
    }
  }

  /**
   * Whether {@code entry} holds a session of the retired stored format 1: a compact JWE (five
   * base64url parts, the header a JSON object), which this version no longer reads.
   */
  static boolean isRetiredFormat(StoredEntry entry) {
    byte[] value = entry.bytes();
    // Base64url of '{"' is "eyJ"; a value of format 2 starts with the byte 0x02.
    if (value.length < 3 || value[0] != 'e' || value[1] != 'y' || value[2] != 'J') {
      return false;
    }
    int dots = 0;
    for (byte b : value) {
      if (b == '.') {
        dots++;
      } else if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
          || b == '-' || b == '_')) {
        return false;
      }
    }
    return dots == 4;
  }

  private static byte[] associatedData(StoreKey key) {
    String name = key.value();
    byte[] aad = new byte[1 + name.length()];
    aad[0] = FORMAT_VERSION;
    // A store key is base64url: ASCII, one byte per character.
    for (int i = 0; i < name.length(); i++) {
      aad[1 + i] = (byte) name.charAt(i);
    }
    return aad;
  }

  private static byte[] body(Session session) {
    TokenSet tokens = session.tokens();
    Writer out = new Writer(tokens.accessToken().value().length()
        + tokens.idToken().raw().value().length() + 256);
    int flags = (tokens.accessTokenExpiresAt().isPresent() ? FLAG_ACCESS_EXPIRY : 0)
        | (tokens.refreshToken().isPresent() ? FLAG_REFRESH : 0)
        | (session.sid().isPresent() ? FLAG_SID : 0)
        | (tokens.idToken().sid().isPresent() ? FLAG_ID_TOKEN_SID : 0);
    out.writeByte(flags);
    out.writeString(tokens.accessToken().value());
    tokens.accessTokenExpiresAt().ifPresent(out::writeTime);
    IdToken idToken = tokens.idToken();
    out.writeString(idToken.raw().value());
    out.writeString(idToken.issuer());
    out.writeString(idToken.subject());
    out.writeInt(idToken.audience().size());
    idToken.audience().forEach(out::writeString);
    out.writeTime(idToken.expiresAt());
    idToken.sid().ifPresent(out::writeString);
    tokens.refreshToken().ifPresent(t -> out.writeString(t.value()));
    out.writeString(tokens.scope());
    out.writeTime(session.createdAt());
    out.writeTime(session.renewedAt());
    out.writeTime(session.lastSeenAt());
    out.writeTime(session.expiresAt());
    out.writeTime(session.renewAt());
    session.sid().ifPresent(out::writeString);
    out.writeInt(session.attributes().size());
    for (Map.Entry<String, String> a : session.attributes().entrySet()) {
      out.writeString(a.getKey());
      out.writeString(a.getValue());
    }
    return out.toByteArray();
  }

  private static Session session(StoredEntry entry, Reader in) {
    int flags = in.readByte();
    if ((flags & ~FLAGS) != 0) {
      throw new IllegalArgumentException("unknown flags");
    }
    TokenSecret access = TokenSecret.of(in.readString());
    Optional<Instant> accessExpiry =
        (flags & FLAG_ACCESS_EXPIRY) != 0 ? Optional.of(in.readTime()) : Optional.empty();
    IdToken idToken = idToken(in, (flags & FLAG_ID_TOKEN_SID) != 0);
    Optional<TokenSecret> refresh =
        (flags & FLAG_REFRESH) != 0 ? Optional.of(TokenSecret.of(in.readString())) : Optional.empty();
    TokenSet tokens = new TokenSet(access, accessExpiry, idToken, refresh, in.readString());
    Instant createdAt = in.readTime();
    Instant renewedAt = in.readTime();
    Instant lastSeenAt = in.readTime();
    Instant expiresAt = in.readTime();
    Instant renewAt = in.readTime();
    Optional<String> sid = (flags & FLAG_SID) != 0 ? Optional.of(in.readString()) : Optional.empty();
    int count = in.readInt();
    if (count < 0 || count > in.remaining() / 8) {
      throw new IllegalArgumentException("bad attribute count");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      attributes.put(in.readString(), in.readString());
    }
    if (in.remaining() != 0) {
      throw new IllegalArgumentException("trailing bytes");
    }
    return new Session(entry.key(), tokens, sid, createdAt, renewedAt, lastSeenAt, expiresAt,
        renewAt, entry.version(), attributes);
  }

  private static IdToken idToken(Reader in, boolean hasSid) {
    String raw = in.readString();
    String issuer = in.readString();
    String subject = in.readString();
    int count = in.readInt();
    if (count < 1 || count > in.remaining() / 4) {
      throw new IllegalArgumentException("bad audience count");
    }
    List<String> audience = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      audience.add(in.readString());
    }
    Instant expiresAt = in.readTime();
    Optional<String> sid = hasSid ? Optional.of(in.readString()) : Optional.empty();
    return IdToken.ofStored(raw, issuer, subject, audience, expiresAt, sid);
  }

  /** Appends big-endian fields to a growing array. */
  private static final class Writer {

    private byte[] bytes;
    private int size;

    Writer(int capacity) {
      bytes = new byte[capacity];
    }

    void writeByte(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    void writeInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (v >>> shift);
      }
    }

    void writeTime(Instant t) {
      long v = t.toEpochMilli();
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (v >>> shift);
      }
    }

    void writeString(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      writeInt(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, size, utf8.length);
      size += utf8.length;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  /** Reads what {@link Writer} wrote; any overrun throws {@link IllegalArgumentException}. */
  private static final class Reader {

    private final byte[] bytes;
    private int position;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - position;
    }

    int readByte() {
      require(1);
      return bytes[position++] & 0xff;
    }

    int readInt() {
      require(4);
      int v = 0;
      for (int i = 0; i < 4; i++) {
        v = (v << 8) | (bytes[position++] & 0xff);
      }
      return v;
    }

    Instant readTime() {
      require(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (bytes[position++] & 0xff);
      }
      return Instant.ofEpochMilli(v);
    }

    String readString() {
      int length = readInt();
      if (length < 0) {
        throw new IllegalArgumentException("negative length");
      }
      require(length);
      String s = new String(bytes, position, length, StandardCharsets.UTF_8);
      position += length;
      return s;
    }

    private void require(int n) {
      if (n > bytes.length - position) {
        throw new IllegalArgumentException("truncated");
      }
    }
  }
}
