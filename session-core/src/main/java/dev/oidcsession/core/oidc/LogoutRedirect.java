package dev.oidcsession.core.oidc;

import dev.oidcsession.core.TokenSecret;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * An RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2): the provider's end-session URL with
 * {@code id_token_hint}, {@code client_id}, and, when a post-logout redirect is configured, {@code
 * post_logout_redirect_uri} and {@code state}.
 *
 * @param endSessionUri where to send the browser; it carries the ID token, so it is never logged
 * @param state the {@code state} sent, to check on the post-logout redirect if the caller wants;
 *     empty without a {@code post_logout_redirect_uri}
 */
public record LogoutRedirect(URI endSessionUri, Optional<TokenSecret> state) {

  /** Validates that no component is null. */
  public LogoutRedirect {
    Objects.requireNonNull(endSessionUri, "endSessionUri");
    Objects.requireNonNull(state, "state");
  }

  /** The endpoint without its query; never the ID token. */
  @Override
  public String toString() {
    return "LogoutRedirect[endpoint=" + Redacted.withoutQuery(endSessionUri) + ", state=" + state + "]";
  }
}
