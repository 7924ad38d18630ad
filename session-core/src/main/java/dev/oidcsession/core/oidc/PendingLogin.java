package dev.oidcsession.core.oidc;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.internal.LocalPaths;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A login between its redirect to the provider and its callback: the {@code state}, {@code nonce}
 * and PKCE {@code code_verifier} that bind the callback to this browser, the local path to return
 * to, and when the login started. The caller keeps it, typically in a short-lived encrypted cookie
 * ({@link #encode()} / {@link #decode(String)}), and hands it back to {@link
 * OidcClient#completeLogin}.
 *
 * <p>Immutable and thread-safe. The secrets are {@link TokenSecret}s, so {@link #toString()} prints
 * only fingerprints. {@link #encode()} holds them in clear: encrypt it before it leaves the server.
 */
public final class PendingLogin {

  private static final int FORMAT = 1;

  private final TokenSecret state;
  private final TokenSecret nonce;
  private final TokenSecret codeVerifier;
  private final String returnPath;
  private final Instant createdAt;

  PendingLogin(
      TokenSecret state,
      TokenSecret nonce,
      TokenSecret codeVerifier,
      String returnPath,
      Instant createdAt) {
    this.state = Objects.requireNonNull(state, "state");
    this.nonce = Objects.requireNonNull(nonce, "nonce");
    this.codeVerifier = Objects.requireNonNull(codeVerifier, "codeVerifier");
    this.returnPath = requireLocalPath(returnPath);
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * Checks that {@code path} is a path on this site (not an open redirect), by the one rule of
   * {@link LocalPaths#isLocal(String)}: one leading {@code /}, no {@code //}, no backslash, no
   * control characters, none of these percent-encoded, at most 2,048 characters.
   *
   * @return {@code path}
   * @throws IllegalArgumentException if not
   */
  static String requireLocalPath(String path) {
    Objects.requireNonNull(path, "returnPath");
    if (!LocalPaths.isLocal(path)) {
      throw new IllegalArgumentException(
          "returnPath must be a local path starting with a single '/', but was " + path);
    }
    return path;
  }

  /** The {@code state} sent to the provider. */
  public TokenSecret state() {
    return state;
  }

  /** The {@code nonce} the ID token must carry. */
  public TokenSecret nonce() {
    return nonce;
  }

  /** The PKCE {@code code_verifier} (RFC 7636). */
  public TokenSecret codeVerifier() {
    return codeVerifier;
  }

  /** The local path to send the browser to after login. */
  public String returnPath() {
    return returnPath;
  }

  /** When the login started (wall time of the client's clock). */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * A compact JSON document of every field, for the caller to encrypt and store; {@link
   * #decode(String)} reads it back. It holds the secrets in clear.
   */
  public String encode() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", FORMAT);
    json.put("s", state.value());
    json.put("n", nonce.value());
    json.put("cv", codeVerifier.value());
    json.put("r", returnPath);
    json.put("t", createdAt.toEpochMilli());
    return JSONObjectUtils.toJSONString(json);
  }

  /**
   * Reads what {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException if {@code encoded} is not such a document (the message never
   *     repeats it)
   */
  public static PendingLogin decode(String encoded) {
    Objects.requireNonNull(encoded, "encoded");
    try {
      Map<String, Object> json = JSONObjectUtils.parse(encoded);
      if (JSONObjectUtils.getInt(json, "v") != FORMAT) {
        throw new IllegalArgumentException(
            "pending login format must be " + FORMAT + ", but was " + json.get("v"));
      }
      return new PendingLogin(
          TokenSecret.of(JSONObjectUtils.getString(json, "s")),
          TokenSecret.of(JSONObjectUtils.getString(json, "n")),
          TokenSecret.of(JSONObjectUtils.getString(json, "cv")),
          JSONObjectUtils.getString(json, "r"),
          Instant.ofEpochMilli(JSONObjectUtils.getLong(json, "t")));
    } catch (ParseException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("pending")) {
        throw iae;
      }
      throw new IllegalArgumentException(
          "pending login must be a document written by encode(), but could not be read");
    }
  }

  /** Return path, start time and fingerprints; never the secrets. */
  @Override
  public String toString() {
    return "PendingLogin[returnPath="
        + returnPath
        + ", createdAt="
        + createdAt
        + ", state="
        + state
        + "]";
  }
}
