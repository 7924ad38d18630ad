package dev.oidcsession.spring;

import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.servlet.OidcSessionConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link OidcSessionProperties} to the library's builders. Each property goes through {@link
 * #apply}, so a value the library rejects stops start-up with one sentence that names the
 * property; unset properties are never passed, so the library's defaults stay the defaults.
 */
final class ConfigMapping {

  static final String PREFIX = "oidc.session.";

  private ConfigMapping() {}

  static SessionPolicy policy(OidcSessionProperties.Policy p) {
    SessionPolicy.Builder b = SessionPolicy.builder();
    String at = PREFIX + "policy.";
    apply(at + "renewal-interval", p.getRenewalInterval(), b::renewalInterval);
    apply(at + "renewal-jitter", p.getRenewalJitter(), b::renewalJitter);
    apply(at + "renewal-lead", p.getRenewalLead(), b::renewalLead);
    apply(at + "min-token-ttl", p.getMinTokenTtl(), b::minTokenTtl);
    apply(at + "max-lifetime", p.getMaxLifetime(), b::maxLifetime);
    apply(at + "idle-timeout", p.getIdleTimeout(), b::idleTimeout);
    apply(at + "token-expiry-skew", p.getTokenExpirySkew(), b::tokenExpirySkew);
    apply(at + "renewal-retry-initial-delay", p.getRenewalRetryInitialDelay(),
        b::renewalRetryInitialDelay);
    apply(at + "renewal-retry-max-delay", p.getRenewalRetryMaxDelay(), b::renewalRetryMaxDelay);
    apply(at + "renewal-lease", p.getRenewalLease(), b::renewalLease);
    apply(at + "renewal-wait-timeout", p.getRenewalWaitTimeout(), b::renewalWaitTimeout);
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(
          PREFIX + "policy.* do not fit together: " + e.getMessage(), e);
    }
  }

  /** The filter's configuration, less what the merged servlet work adds (see the auto-config). */
  static OidcSessionConfig.Builder config(
      OidcSessionProperties p, SessionPolicy policy, SessionStore store) {
    required("base-url", p.getBaseUrl(), "the app's external URL, e.g. https://app.example.com");
    required("issuer", p.getIssuer(), "the provider's issuer URL");
    required("client-id", p.getClientId(), "the client id registered at the provider");
    OidcSessionConfig.Builder b = OidcSessionConfig.builder();
    apply(PREFIX + "base-url", p.getBaseUrl(), b::baseUrl);
    apply(PREFIX + "issuer", p.getIssuer(), b::issuer);
    apply(PREFIX + "client-id", p.getClientId(), b::clientId);
    apply(PREFIX + "client-secret", blankToNull(p.getClientSecret()), b::clientSecret);
    apply(PREFIX + "client-auth", p.getClientAuth(), b::clientAuthMethod);
    apply(PREFIX + "client-key-file", p.getClientKeyFile(), b::clientKeyFile);
    apply(PREFIX + "client-key-id", blankToNull(p.getClientKeyId()), b::clientKeyId);
    apply(PREFIX + "prompt", blankToNull(p.getPrompt()), b::prompt);
    apply(PREFIX + "acr-values", emptyToNull(p.getAcrValues()),
        v -> b.acrValues(v.toArray(String[]::new)));
    apply(PREFIX + "audience", blankToNull(p.getAudience()), b::audience);
    apply(PREFIX + "resource", blankToNull(p.getResource()), b::resource);
    apply(PREFIX + "roles-claim", blankToNull(p.getRolesClaim()), b::rolesClaim);
    apply(PREFIX + "scopes", emptyToNull(p.getScopes()), v -> b.scopes(v.toArray(String[]::new)));
    apply(PREFIX + "path-prefix", p.getPathPrefix(), b::pathPrefix);
    apply(PREFIX + "public-paths", emptyToNull(p.getPublicPaths()),
        v -> b.publicPaths(v.toArray(String[]::new)));
    apply(PREFIX + "logged-out-path", p.getLoggedOutPath(), b::loggedOutPath);
    apply(PREFIX + "decoded-cache-size", p.getDecodedCacheSize(), b::decodedCacheSize);
    apply(PREFIX + "session-secret", blankToNull(p.getSessionSecret()),
        v -> b.sessionSecret(v.getBytes(StandardCharsets.UTF_8)));
    b.policy(policy);
    b.store(store);
    return b;
  }

  static OidcSessionConfig build(OidcSessionConfig.Builder b) {
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(
          PREFIX + "* do not fit together: " + e.getMessage(), e);
    }
  }

  /** Passes a set value to {@code setter}; a rejection names the property. */
  static <T> void apply(String property, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(property + ": " + e.getMessage(), e);
    }
  }

  static void required(String name, String value, String what) {
    if (value == null || value.isBlank()) {
      throw new OidcSessionConfigurationException(
          PREFIX + name + " must be set (" + what + "), but was not");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static <T> List<T> emptyToNull(List<T> values) {
    return values == null || values.isEmpty() ? null : values;
  }
}
