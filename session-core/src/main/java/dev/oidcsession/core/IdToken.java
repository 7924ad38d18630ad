package dev.oidcsession.core;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An ID token that has already been validated (OIDC Core 3.1.3.7 on login, 12.2 on refresh), kept
 * raw for {@code id_token_hint} and with the claims the session needs read out of it.
 *
 * <p>{@link #parse(String)} reads claims; it does <em>not</em> check the signature or any claim.
 * Validation is the protocol layer's job and happens before a token set is built. Immutable and
 * thread-safe; {@link #toString()} never prints the raw token.
 */
public final class IdToken {

  private final TokenSecret raw;
  private final String issuer;
  private final String subject;
  private final List<String> audience;
  private final Instant expiresAt;
  private final Optional<String> sid;
  /** Read from {@link #raw} on first use when the token came from a stored session. */
  private volatile Map<String, Object> claims;

  private IdToken(TokenSecret raw, String issuer, String subject, List<String> audience,
      Instant expiresAt, Optional<String> sid) {
    this.raw = raw;
    this.issuer = issuer;
    this.subject = subject;
    this.audience = audience;
    this.expiresAt = expiresAt;
    this.sid = sid;
  }

  private IdToken(TokenSecret raw, JWTClaimsSet claims) {
    this.raw = raw;
    this.issuer = requireClaim(claims.getIssuer(), "iss");
    this.subject = requireClaim(claims.getSubject(), "sub");
    this.audience = List.copyOf(claims.getAudience());
    if (audience.isEmpty()) {
      throw new IllegalArgumentException("idToken must carry an aud claim, but had none");
    }
    if (claims.getExpirationTime() == null) {
      throw new IllegalArgumentException("idToken must carry an exp claim, but had none");
    }
    this.expiresAt = claims.getExpirationTime().toInstant();
    Object sid = claims.getClaim("sid");
    this.sid = sid instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    this.claims = Map.copyOf(claims.toJSONObject());
  }

  private static String requireClaim(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("idToken must carry a " + name + " claim, but had none");
    }
    return value;
  }

  /**
   * Reads the claims of a compact-serialized ID token (signed JWT).
   *
   * @param raw the ID token as the token endpoint returned it
   * @return the parsed token
   * @throws IllegalArgumentException if {@code raw} is not a JWT or lacks {@code iss}, {@code
   *     sub}, {@code aud} or {@code exp}; the message never contains the token
   */
  public static IdToken parse(String raw) {
    TokenSecret secret = TokenSecret.of(raw);
    try {
      JWT jwt = JWTParser.parse(raw);
      return new IdToken(secret, jwt.getJWTClaimsSet());
    } catch (ParseException e) {
      // The ParseException text may quote parts of the token: keep only its class.
      throw new IllegalArgumentException(
          "idToken must be a compact JWT, but could not be parsed (" + secret + ")");
    }
  }

  /**
   * An ID token as a stored session keeps it: the raw token and the claims the session needs, read
   * from it when it was parsed at login (and authenticated with the stored session). The other
   * claims are read from the raw token on the first call of {@link #claims()}, so a request that
   * decodes a stored session does not parse the JWT.
   */
  static IdToken ofStored(String raw, String issuer, String subject, List<String> audience,
      Instant expiresAt, Optional<String> sid) {
    IdToken token = new IdToken(TokenSecret.of(raw), requireClaim(issuer, "iss"),
        requireClaim(subject, "sub"), List.copyOf(audience), expiresAt, sid);
    if (token.audience.isEmpty()) {
      throw new IllegalArgumentException("idToken must carry an aud claim, but had none");
    }
    return token;
  }

  /** The raw token, for {@code id_token_hint}. */
  public TokenSecret raw() {
    return raw;
  }

  /** The {@code iss} claim. */
  public String issuer() {
    return issuer;
  }

  /** The {@code sub} claim. */
  public String subject() {
    return subject;
  }

  /** The {@code aud} claim, never empty. */
  public List<String> audience() {
    return audience;
  }

  /** The {@code exp} claim, wall time. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The {@code sid} claim (OIDC Front- and Back-Channel Logout), when present. */
  public Optional<String> sid() {
    return sid;
  }

  /** Every claim, as nimbus's JSON view (strings, numbers, lists, maps); unmodifiable. */
  public Map<String, Object> claims() {
    Map<String, Object> read = claims;
    if (read == null) {
      read = parse(raw.value()).claims;
      claims = read;
    }
    return read;
  }

  /**
   * Whether {@code other} is about the same end-user for the same client: the same {@code iss},
   * {@code sub} and {@code aud} (OIDC Core 12.2: a refreshed ID token must keep them), the
   * audiences compared as a set (their order means nothing).
   */
  public boolean sameIdentityAs(IdToken other) {
    return issuer.equals(other.issuer)
        && subject.equals(other.subject)
        && Set.copyOf(audience).equals(Set.copyOf(other.audience)); // review #18: order-free
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdToken other && raw.equals(other.raw);
  }

  @Override
  public int hashCode() {
    return raw.hashCode();
  }

  /** Issuer, subject, expiry and the token's fingerprint; never the token. */
  @Override
  public String toString() {
    return "IdToken[iss="
        + issuer
        + ", sub="
        + subject
        + ", exp="
        + expiresAt
        + ", "
        + Objects.toString(raw)
        + "]";
  }
}
