package dev.oidcsession.servlet;

import dev.oidcsession.core.internal.WebUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The value rules of {@link OidcSessionConfig.Builder}'s setters, one method per setting: each
 * returns the value to keep or throws {@link IllegalArgumentException} with the house message
 * ({@code <setting> must be <rule>, but was <value>}). Stateless.
 */
final class SettingRules {

  private SettingRules() {}

  /**
   * An {@code http(s)} URL with a host and no query, normalized as browsers send {@code Origin}:
   * lower-case scheme and host, no default port, no trailing slash.
   */
  static URI baseUrl(String value) {
    URI uri = uri(value, "baseUrl");
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("baseUrl must be an http or https URL, but was " + value);
    }
    if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException(
          "baseUrl must be an absolute URL with a host and no query or fragment, but was " + value);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443)
        || ("http".equals(scheme) && port == 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return URI.create(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port) + path);
  }

  /** An {@code https} URL, or {@code http} on a loopback host: the one rule of {@link WebUrls}. */
  static URI issuer(String value) {
    URI uri = uri(value, "issuer");
    WebUrls.requireWebUrl("issuer", uri);
    return uri;
  }

  /** The scopes without blanks and repeats, {@code openid} first when missing. */
  static List<String> scopes(String... values) {
    List<String> list = new ArrayList<>();
    for (String v : values) {
      if (!v.isBlank() && !list.contains(v)) {
        list.add(v);
      }
    }
    if (!list.contains("openid")) {
      list.add(0, "openid");
    }
    return List.copyOf(list);
  }

  /** One or more single tokens, blanks dropped. */
  static List<String> acrValues(String... values) {
    List<String> list = new ArrayList<>();
    for (String v : values) {
      if (!v.isBlank()) {
        list.add(LoginParameters.token(v, "acrValues"));
      }
    }
    if (list.isEmpty() || list.stream().anyMatch(v -> v.contains(" "))) {
      throw new IllegalArgumentException("acrValues must be one or more single tokens, but was "
          + List.of(values));
    }
    return List.copyOf(list);
  }

  /** A claim name or a dotted path of non-empty segments. */
  static String rolesClaim(String value) {
    Objects.requireNonNull(value, "rolesClaim");
    if (!value.matches("[^.\\s]+(\\.[^.\\s]+)*")) {
      throw new IllegalArgumentException("rolesClaim must be a claim name or a dotted path such"
          + " as realm_access.roles, but was '" + value + "'");
    }
    return value;
  }

  /** A path such as {@code /oidc}: unreserved characters, no trailing slash. */
  static String pathPrefix(String value) {
    if (!value.matches("(/[A-Za-z0-9._~-]+)+")) {
      throw new IllegalArgumentException(
          "pathPrefix must be a path such as /oidc (no trailing slash), but was " + value);
    }
    return value;
  }

  /** Paths starting with {@code /}. */
  static List<String> publicPaths(String... values) {
    for (String v : values) {
      if (!v.startsWith("/")) {
        throw new IllegalArgumentException("publicPaths must start with /, but had " + v);
      }
    }
    return List.of(values);
  }

  /**
   * A local path ({@link ReturnPaths#isLocal}) that is also a valid URI reference: it becomes the
   * {@code post_logout_redirect_uri} (found by ConfigSourcesFuzzTest: {@code /`} failed at build
   * with {@code Illegal character in path}, naming no setting).
   */
  static String loggedOutPath(String value) {
    boolean uri;
    try {
      new URI(value);
      uri = true;
    } catch (URISyntaxException e) {
      uri = false;
    }
    if (!uri || !ReturnPaths.isLocal(value)) {
      throw new IllegalArgumentException("loggedOutPath must be a local path, but was " + value);
    }
    return value;
  }

  /** A copy of at least {@link OidcSessionConfig#OidcSessionConfig.MIN_SECRET_BYTES} bytes. */
  static byte[] sessionSecret(byte[] value) {
    Objects.requireNonNull(value, "sessionSecret");
    if (value.length < OidcSessionConfig.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("sessionSecret must be at least " + OidcSessionConfig.MIN_SECRET_BYTES
          + " bytes, but was " + value.length + " bytes");
    }
    return value.clone();
  }

  private static URI uri(String value, String name) {
    Objects.requireNonNull(value, name);
    try {
      URI uri = new URI(value.trim());
      if (!uri.isAbsolute()) {
        throw new IllegalArgumentException(name + " must be an absolute URL, but was " + value);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(name + " must be a URL, but was " + value);
    }
  }
}
