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
 * Turns a session into the bytes a store keeps and back: a compact, versioned JSON document,
 * encrypted as a compact JWE ({@code dir}, {@code A256GCM}) under the handle's derived key.
 *
 * <p>Format 1, times as epoch milliseconds:
 *
 * <pre>{"v":1,"at":access,"ae":accessExpiry?,"it":idToken,"rt":refresh?,"sc":scope,
 *  "c":createdAt,"r":renewedAt,"l":lastSeenAt,"e":expiresAt,"n":renewAt,"a":{attributes}}</pre>
 *
 * A value that fails to decrypt, is not this format or names another version decodes to empty:
 * for the user that is a clean logout, never an error page.
 */
final class SessionCodec {

  static final long FORMAT_VERSION = 1;

  private SessionCodec() {}

  static byte[] encode(Session session, SecretKey key) {
    TokenSet tokens = session.tokens();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", FORMAT_VERSION);
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
    return Jwe.seal(key, JSONObjectUtils.toJSONString(json)).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decodes an entry, or returns empty if it does not decrypt under {@code key} or is not a
   * session of this format. Never throws for bad input.
   */
  static Optional<Session> decode(StoredEntry entry, SecretKey key) {
    try {
      Optional<String> payload = Jwe.open(key, new String(entry.value(), StandardCharsets.US_ASCII));
      if (payload.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Object> json = JSONObjectUtils.parse(payload.get());
      Long version = JSONObjectUtils.getLong(json, "v");
      if (version == null || version != FORMAT_VERSION) {
        return Optional.empty();
      }
      Long accessExpiry = json.containsKey("ae") ? JSONObjectUtils.getLong(json, "ae") : null;
      String refresh = JSONObjectUtils.getString(json, "rt");
      TokenSet tokens =
          new TokenSet(
              TokenSecret.of(JSONObjectUtils.getString(json, "at")),
              Optional.ofNullable(accessExpiry).map(Instant::ofEpochMilli),
              IdToken.parse(JSONObjectUtils.getString(json, "it")),
              Optional.ofNullable(refresh).map(TokenSecret::of),
              JSONObjectUtils.getString(json, "sc"));
      Map<String, String> attributes = new LinkedHashMap<>();
      for (Map.Entry<String, Object> a : JSONObjectUtils.getJSONObject(json, "a").entrySet()) {
        attributes.put(a.getKey(), (String) a.getValue());
      }
      return Optional.of(
          new Session(
              entry.key(),
              tokens,
              millis(json, "c"),
              millis(json, "r"),
              millis(json, "l"),
              millis(json, "e"),
              millis(json, "n"),
              entry.version(),
              attributes));
    } catch (ParseException | RuntimeException e) {
      // Tampered, truncated, wrong key, or not our document: the caller logs at debug.
      return Optional.empty();
    }
  }

  private static Instant millis(Map<String, Object> json, String name) throws ParseException {
    Long value = JSONObjectUtils.getLong(json, name);
    if (value == null) {
      throw new ParseException("missing " + name, 0);
    }
    return Instant.ofEpochMilli(value);
  }
}
