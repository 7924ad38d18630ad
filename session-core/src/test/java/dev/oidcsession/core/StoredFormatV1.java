package dev.oidcsession.core;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.internal.Jwe;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The retired stored format 1, as versions before format 2 wrote and read it: a JSON document in a
 * compact JWE ({@code dir}, {@code A256GCM}). For tests that put an entry of the old format in a
 * store (the upgrade logs its user out cleanly) and for the benchmarks that compare the formats.
 */
public final class StoredFormatV1 {

  private StoredFormatV1() {}

  /** The value format 1 stored for {@code session} under {@code key}. */
  public static byte[] encode(Session session, SecretKey key) {
    TokenSet tokens = session.tokens();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", 1L);
    json.put("at", tokens.accessToken().value());
    tokens.accessTokenExpiresAt().ifPresent(t -> json.put("ae", t.toEpochMilli()));
    json.put("it", tokens.idToken().raw().value());
    tokens.refreshToken().ifPresent(t -> json.put("rt", t.value()));
    json.put("sc", tokens.scope());
    json.put("c", session.createdAt().toEpochMilli());
    json.put("r", session.renewedAt().toEpochMilli());
    json.put("l", session.lastSeenAt().toEpochMilli());
    json.put("e", session.expiresAt().toEpochMilli());
    json.put("n", session.renewAt().toEpochMilli());
    json.put("a", new LinkedHashMap<String, Object>(session.attributes()));
    session.sid().ifPresent(sid -> json.put("sid", sid));
    return Jwe.seal(key, JSONObjectUtils.toJSONString(json)).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The entry format 1 stored for a created session: {@code current} (the entry format 2 stored
   * for it) with its value in format 1.
   */
  public static StoredEntry entry(CreatedSession created, StoredEntry current) {
    return new StoredEntry(current.key(),
        encode(created.session(), created.handle().encryptionKey()), current.version(),
        current.expiresAt(), current.indexKeys());
  }

  /** Reads a value of format 1, as format 1's reader did; empty when it does not decode. */
  public static Optional<Session> decode(StoredEntry entry, SecretKey key) {
    try {
      Optional<String> payload = Jwe.open(key, new String(entry.value(), StandardCharsets.US_ASCII));
      if (payload.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Object> json = JSONObjectUtils.parse(payload.get());
      Long accessExpiry = json.containsKey("ae") ? JSONObjectUtils.getLong(json, "ae") : null;
      String refresh = JSONObjectUtils.getString(json, "rt");
      TokenSet tokens = new TokenSet(
          TokenSecret.of(JSONObjectUtils.getString(json, "at")),
          Optional.ofNullable(accessExpiry).map(Instant::ofEpochMilli),
          IdToken.parse(JSONObjectUtils.getString(json, "it")),
          Optional.ofNullable(refresh).map(TokenSecret::of),
          JSONObjectUtils.getString(json, "sc"));
      Optional<String> sid = Optional.ofNullable(JSONObjectUtils.getString(json, "sid"));
      Map<String, String> attributes = new LinkedHashMap<>();
      for (Map.Entry<String, Object> a : JSONObjectUtils.getJSONObject(json, "a").entrySet()) {
        attributes.put(a.getKey(), (String) a.getValue());
      }
      return Optional.of(new Session(entry.key(), tokens, sid, millis(json, "c"), millis(json, "r"),
          millis(json, "l"), millis(json, "e"), millis(json, "n"), entry.version(), attributes));
    } catch (ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Instant millis(Map<String, Object> json, String name) throws ParseException {
    return Instant.ofEpochMilli(JSONObjectUtils.getLong(json, name));
  }
}
