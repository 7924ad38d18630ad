package dev.oidcsession.core.oidc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Optional parameters of one authorization request (OIDC Core 3.1.2.1): {@code prompt}, {@code
 * login_hint}, {@code acr_values}, {@code audience} and other extension parameters. Immutable and
 * thread-safe; start from {@link #none()} and add with the {@code with} methods.
 */
public final class LoginOptions {

  /** Parameters the client sets itself and that an option must not override. */
  static final Set<String> RESERVED =
      Set.of(
          "response_type",
          "client_id",
          "redirect_uri",
          "scope",
          "state",
          "nonce",
          "code_challenge",
          "code_challenge_method",
          "response_mode",
          "request",
          "request_uri");

  private static final LoginOptions NONE = new LoginOptions(Map.of());

  private final Map<String, String> parameters;

  private LoginOptions(Map<String, String> parameters) {
    this.parameters = parameters;
  }

  /** No extra parameters. */
  public static LoginOptions none() {
    return NONE;
  }

  /** Adds {@code prompt}, e.g. {@code login}, {@code consent}, {@code none}. */
  public LoginOptions withPrompt(String prompt) {
    return with("prompt", prompt);
  }

  /** Adds {@code login_hint}. */
  public LoginOptions withLoginHint(String loginHint) {
    return with("login_hint", loginHint);
  }

  /** Adds {@code acr_values}, space-separated in preference order. */
  public LoginOptions withAcrValues(List<String> acrValues) {
    Objects.requireNonNull(acrValues, "acrValues");
    return with("acr_values", String.join(" ", acrValues));
  }

  /** Adds {@code audience} (an API identifier, as Auth0 and others expect). */
  public LoginOptions withAudience(String audience) {
    return with("audience", audience);
  }

  /**
   * Adds any other parameter.
   *
   * @throws IllegalArgumentException if {@code name} is one the client sets itself ({@code state},
   *     {@code nonce}, {@code redirect_uri}, ...) or {@code value} is blank
   */
  public LoginOptions with(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, name);
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException(
          "parameter name must not be one the client sets itself " + RESERVED + ", but was " + name);
    }
    if (name.isBlank() || value.isBlank()) {
      throw new IllegalArgumentException(
          "parameter " + name + " must have a non-blank name and value, but was '" + value + "'");
    }
    Map<String, String> copy = new LinkedHashMap<>(parameters);
    copy.put(name, value);
    return new LoginOptions(Collections.unmodifiableMap(copy));
  }

  /** The parameters, in the order added. */
  public Map<String, String> parameters() {
    return parameters;
  }

  @Override
  public String toString() {
    return "LoginOptions" + parameters;
  }
}
