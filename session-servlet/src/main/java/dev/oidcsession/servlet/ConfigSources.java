package dev.oidcsession.servlet;

import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads {@link OidcSessionConfig} from {@code init-param}s and the environment: one line per name,
 * each error prefixed with the name and its source ({@code SESSION_RENEWAL_JITTER (environment
 * variable): renewalJitter must be ...}).
 */
final class ConfigSources {

  private ConfigSources() {}

  static OidcSessionConfig.Builder read(
      Function<String, String> initParam, Function<String, String> environment) {
    OidcSessionConfig.Builder b = OidcSessionConfig.builder();
    Source source = new Source(initParam, environment);
    source.apply("BASE_URL", b::baseUrl);
    source.apply("OIDC_ISSUER", b::issuer);
    source.apply("OIDC_CLIENT_ID", b::clientId);
    source.apply("OIDC_CLIENT_AUTH", v -> b.clientAuthMethod(clientAuthMethod(v)));
    source.apply("OIDC_CLIENT_SECRET", b::clientSecret);
    source.apply("OIDC_CLIENT_KEY_FILE", v -> b.clientKeyFile(path(v, "clientKeyFile")));
    source.apply("OIDC_CLIENT_KEY_ID", b::clientKeyId);
    source.apply("OIDC_SCOPES", v -> b.scopes(v.split("[\\s,]+")));
    source.apply("OIDC_PROMPT", b::prompt);
    source.apply("OIDC_ACR_VALUES", v -> b.acrValues(v.split("[\\s,]+")));
    source.apply("OIDC_AUDIENCE", b::audience);
    source.apply("OIDC_RESOURCE", b::resource);
    source.apply("OIDC_ROLES_CLAIM", b::rolesClaim);
    source.apply("OIDC_PATH_PREFIX", b::pathPrefix);
    source.apply("OIDC_PUBLIC_PATHS", v -> b.publicPaths(v.split("\\s*,\\s*")));
    source.apply("OIDC_LOGGED_OUT_PATH", b::loggedOutPath);
    source.apply("SESSION_SECRET", v -> b.sessionSecret(v.getBytes(StandardCharsets.UTF_8)));
    SessionPolicy.Builder policy = SessionPolicy.builder();
    boolean[] any = {false};
    source.apply("SESSION_RENEWAL_INTERVAL", v -> { policy.renewalInterval(duration(v)); any[0] = true; });
    source.apply("SESSION_RENEWAL_JITTER", v -> { policy.renewalJitter(number(v)); any[0] = true; });
    source.apply("SESSION_MAX_LIFETIME", v -> { policy.maxLifetime(duration(v)); any[0] = true; });
    source.apply("SESSION_IDLE_TIMEOUT", v -> { policy.idleTimeout(duration(v)); any[0] = true; });
    if (any[0]) {
      b.policyFromSources(policy, source);
    }
    return b;
  }

  /** {@code client_secret_basic}, {@code client_secret_post}, {@code private_key_jwt} or {@code none}. */
  static ClientAuthMethod clientAuthMethod(String value) {
    for (ClientAuthMethod method : ClientAuthMethod.values()) {
      if (method.name().toLowerCase(Locale.ROOT).equals(value)) {
        return method;
      }
    }
    throw new IllegalArgumentException("clientAuthMethod must be one of client_secret_basic,"
        + " client_secret_post, private_key_jwt, none, but was " + value);
  }

  private static Path path(String value, String name) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(name + " must be a file path, but was " + value);
    }
  }

  /** A duration as ISO-8601 ({@code PT15M}) or a whole number of seconds. */
  static Duration duration(String value) {
    String v = value.trim();
    if (v.matches("\\d{1,12}")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "must be an ISO-8601 duration such as PT15M or a number of seconds, but was " + v);
    }
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a number, but was " + value.trim());
    }
  }

  /** Reads named settings and prefixes any error with the name and its source. */
  static final class Source {
    private final Function<String, String> initParam;
    private final Function<String, String> environment;

    Source(Function<String, String> initParam, Function<String, String> environment) {
      this.initParam = initParam;
      this.environment = environment;
    }

    void apply(String name, Consumer<String> setter) {
      String value = initParam.apply(name);
      String where = "init-param";
      if (value == null) {
        value = environment.apply(name);
        where = "environment variable";
      }
      if (value == null || value.isBlank()) {
        return;
      }
      try {
        setter.accept(value.trim());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalArgumentException(name + " (" + where + "): " + e.getMessage(), e);
      }
    }

    void wrap(String name, Runnable action) {
      try {
        action.run();
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException("SESSION_* settings (" + name + "): " + e.getMessage(), e);
      }
    }
  }
}
