package dev.oidcsession.servlet;

import dev.oidcsession.core.oidc.LoginOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The extra parameters of the authorization request (OIDC Core 3.1.2.1): the fixed ones from
 * {@link OidcSessionConfig} and the two a login link may pass through ({@code prompt}, {@code
 * login_hint}), each checked before it reaches the provider.
 */
final class LoginParameters {

  /** The {@code prompt} values of OIDC Core 3.1.2.1, plus {@code create} (Initiating User Registration 1.0). */
  static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account", "create");

  /** Longest {@code login_hint} accepted from a login link, in characters. */
  static final int MAX_LOGIN_HINT_LENGTH = 256;

  private LoginParameters() {}

  /** Space-separated {@link #PROMPTS}, each once, {@code none} alone (OIDC Core 3.1.2.1). */
  static String prompt(String value, String name) {
    List<String> values = Arrays.asList(value.trim().split("\\s+"));
    boolean known = !value.isBlank() && PROMPTS.containsAll(values)
        && values.stream().distinct().count() == values.size();
    if (!known || (values.contains("none") && values.size() > 1)) {
      throw new IllegalArgumentException(name + " must be space-separated values of "
          + "none, login, consent, select_account, create (none alone), but was " + value);
    }
    return String.join(" ", values);
  }

  /** A {@code login_hint}: 1 to 256 characters, no control characters. */
  static String loginHint(String value) {
    if (value.isEmpty() || value.length() > MAX_LOGIN_HINT_LENGTH
        || value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("login_hint must be 1 to " + MAX_LOGIN_HINT_LENGTH
          + " characters without control characters, but had " + value.length() + " characters");
    }
    return value;
  }

  /** A parameter value: not blank, no control characters. */
  static String token(String value, String name) {
    if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          name + " must be non-blank without control characters, but was '" + value + "'");
    }
    return value.trim();
  }

  /** {@code resource} (RFC 8707 §2): an absolute URI without fragment. */
  static String resource(String value) {
    try {
      URI uri = new URI(value.trim());
      if (uri.isAbsolute() && uri.getRawFragment() == null) {
        return uri.toString();
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "resource must be an absolute URI without fragment (RFC 8707 §2), but was " + value);
  }

  /**
   * The options of one login: the configured ones, then {@code prompt} and {@code login_hint} from
   * the login link's query, which win over the configured {@code prompt}.
   *
   * @throws IllegalArgumentException naming the bad query parameter
   */
  static LoginOptions of(OidcSessionConfig config, Map<String, String[]> query) {
    LoginOptions options = LoginOptions.none();
    for (Map.Entry<String, String> fixed : config.authorizationParameters().entrySet()) {
      options = options.with(fixed.getKey(), fixed.getValue());
    }
    String prompt = single(query, "prompt");
    if (prompt != null) {
      options = options.withPrompt(prompt(prompt, "prompt"));
    }
    String hint = single(query, "login_hint");
    if (hint != null) {
      options = options.withLoginHint(loginHint(hint));
    }
    return options;
  }

  private static String single(Map<String, String[]> query, String name) {
    String[] values = query.get(name);
    if (values == null) {
      return null;
    }
    if (values.length != 1) {
      throw new IllegalArgumentException(name + " must be given at most once, but was given "
          + values.length + " times");
    }
    return values[0];
  }
}
