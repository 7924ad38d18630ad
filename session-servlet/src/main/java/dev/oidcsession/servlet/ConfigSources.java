package dev.oidcsession.servlet;

import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@link OidcSessionConfig} from {@code init-param}s and the environment: one line per name,
 * each error prefixed with the name and its source ({@code SESSION_RENEWAL_JITTER (environment
 * variable): renewalJitter must be ...}). An error that spans settings names each one given that
 * it involves ({@code OIDC_CLIENT_AUTH (environment variable) and OIDC_CLIENT_SECRET (init-param):
 * clientSecret must not be set for none, but was}); every error is an {@link
 * IllegalArgumentException}.
 */
final class ConfigSources {

  /**
   * Each name read here and the builder settings its messages call it by, including the URIs
   * derived from it ({@code redirectUri} from the base URL and path prefix).
   */
  private static final Map<String, String> SETTINGS = Map.ofEntries(
      Map.entry("BASE_URL", "baseUrl|redirectUri|postLogoutRedirectUri"),
      Map.entry("OIDC_ISSUER", "issuer"),
      Map.entry("OIDC_CLIENT_ID", "clientId"), Map.entry("OIDC_CLIENT_AUTH", "clientAuthMethod"),
      Map.entry("OIDC_CLIENT_SECRET", "clientSecret"), Map.entry("OIDC_CLIENT_KEY_FILE", "clientKey"),
      Map.entry("OIDC_CLIENT_KEY_ID", "clientKeyId"), Map.entry("OIDC_SCOPES", "scopes"),
      Map.entry("OIDC_PROMPT", "prompt"), Map.entry("OIDC_ACR_VALUES", "acrValues"),
      Map.entry("OIDC_AUDIENCE", "audience"), Map.entry("OIDC_RESOURCE", "resource"),
      Map.entry("OIDC_ROLES_CLAIM", "rolesClaim"),
      Map.entry("OIDC_PATH_PREFIX", "pathPrefix|redirectUri"),
      Map.entry("OIDC_PUBLIC_PATHS", "publicPaths"),
      Map.entry("OIDC_LOGGED_OUT_PATH", "loggedOutPath|postLogoutRedirectUri"),
      Map.entry("OIDC_DECODED_CACHE_SIZE", "decodedCacheSize"),
      Map.entry("SESSION_SECRET", "sessionSecret"),
      Map.entry("SESSION_RENEWAL_INTERVAL", "renewalInterval"),
      Map.entry("SESSION_RENEWAL_JITTER", "renewalJitter"),
      Map.entry("SESSION_MAX_LIFETIME", "maxLifetime"),
      Map.entry("SESSION_IDLE_TIMEOUT", "idleTimeout"));

  /** How an authentication rule names the method: {@code ... for none, but ...}. */
  private static final Pattern FOR_METHOD =
      Pattern.compile("\\bfor (client_secret_basic|client_secret_post|private_key_jwt|none)\\b");

  private ConfigSources() {}

  static OidcSessionConfig.Builder read(
      Function<String, String> initParam, Function<String, String> environment) {
    OidcSessionConfig.Builder b = OidcSessionConfig.builder();
    Source source = new Source(initParam, environment);
    b.sources(source);
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
    source.apply("OIDC_DECODED_CACHE_SIZE", v -> b.decodedCacheSize(count(v, "decodedCacheSize")));
    source.apply("SESSION_SECRET", v -> b.sessionSecret(v.getBytes(StandardCharsets.UTF_8)));
    SessionPolicy.Builder policy = SessionPolicy.builder();
    boolean[] any = {false};
    source.apply("SESSION_RENEWAL_INTERVAL", v -> { policy.renewalInterval(duration(v)); any[0] = true; });
    source.apply("SESSION_RENEWAL_JITTER", v -> { policy.renewalJitter(number(v)); any[0] = true; });
    source.apply("SESSION_MAX_LIFETIME", v -> { policy.maxLifetime(duration(v)); any[0] = true; });
    source.apply("SESSION_IDLE_TIMEOUT", v -> { policy.idleTimeout(duration(v)); any[0] = true; });
    if (any[0]) {
      b.policyFromSources(policy);
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

  /** A whole number of up to 9 digits. */
  private static int count(String value, String name) {
    String v = value.trim();
    if (!v.matches("\\d{1,9}")) {
      throw new IllegalArgumentException(name + " must be a whole number, but was " + v);
    }
    return Integer.parseInt(v);
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a number, but was " + value.trim());
    }
  }

  /**
   * Reads named settings and turns any error into an {@link IllegalArgumentException} prefixed with
   * the settings it involves, each with its source. Remembers what it read, for {@link
   * #refused(RuntimeException, String)} at build time.
   */
  static final class Source {
    private final Function<String, String> initParam;
    private final Function<String, String> environment;
    /** Each name given, with where it came from, in reading order. */
    private final Map<String, String> given = new LinkedHashMap<>();

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
      given.put(name, where);
      try {
        setter.accept(value.trim());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw refused(e, name);
      }
    }

    /**
     * {@code e} as an {@link IllegalArgumentException} whose message starts with {@code first}
     * (unless null) and every other given setting the message involves, each with its source.
     */
    IllegalArgumentException refused(RuntimeException e, String first) {
      Set<String> names = new LinkedHashSet<>();
      if (first != null) {
        names.add(first);
      }
      for (String name : given.keySet()) {
        if (involves(e.getMessage(), name)) {
          names.add(name);
        }
      }
      if (names.isEmpty()) {
        return e instanceof IllegalArgumentException iae ? iae
            : new IllegalArgumentException(e.getMessage(), e);
      }
      String prefix = names.stream().map(n -> n + " (" + given.get(n) + ")")
          .collect(Collectors.joining(" and "));
      return new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
    }

    private static boolean involves(String message, String name) {
      if (message == null) {
        return false;
      }
      return message.contains(name)
          || Pattern.compile("\\b(" + SETTINGS.get(name) + ")\\b").matcher(message).find()
          || (name.startsWith("SESSION_") && message.contains("SESSION_*"))
          || (name.equals("OIDC_CLIENT_AUTH") && FOR_METHOD.matcher(message).find());
    }
  }
}
