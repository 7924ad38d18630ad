package dev.oidcsession.core.oidc;

import java.util.Objects;
import java.util.Optional;

/**
 * What a validated back-channel logout token asks for (OIDC Back-Channel Logout 1.0 §2.4): end the
 * provider session {@code sid}, or, without one, every session of {@code subject}. At least one is
 * present.
 *
 * @param issuer the token's {@code iss}, equal to the configured issuer
 * @param sid the {@code sid}, when present
 * @param subject the {@code sub}, when present
 * @param jwtId the token's {@code jti}, which the client remembers to refuse a replay
 */
public record LogoutNotice(
    String issuer, Optional<String> sid, Optional<String> subject, String jwtId) {

  /** Validates that no component is null and that a {@code sid} or a {@code sub} is present. */
  public LogoutNotice {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(sid, "sid");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(jwtId, "jwtId");
    if (sid.isEmpty() && subject.isEmpty()) {
      throw new IllegalArgumentException("logout notice must name a sid or a sub, but had neither");
    }
  }
}
