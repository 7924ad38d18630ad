package dev.oidcsession.core.oidc;

import java.net.URI;
import java.util.Objects;

/**
 * A started login: where to send the browser, and what to keep until the callback.
 *
 * @param authorizationUri the provider's authorization endpoint with every parameter; it carries
 *     {@code state} and {@code nonce}, so it is sent to the browser but never logged
 * @param pending the login's secrets and return path, for the caller to store
 */
public record LoginRedirect(URI authorizationUri, PendingLogin pending) {

  /** Validates that no component is null. */
  public LoginRedirect {
    Objects.requireNonNull(authorizationUri, "authorizationUri");
    Objects.requireNonNull(pending, "pending");
  }

  /** The endpoint without its query, and the pending login; never {@code state} or {@code nonce}. */
  @Override
  public String toString() {
    return "LoginRedirect[endpoint="
        + Redacted.withoutQuery(authorizationUri)
        + ", pending="
        + pending
        + "]";
  }
}
