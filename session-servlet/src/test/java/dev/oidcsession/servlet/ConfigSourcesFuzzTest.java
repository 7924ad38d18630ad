package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration from the environment and {@code init-param}s, fuzzed: any values for any of the
 * settings either build a configuration or fail with an {@link IllegalArgumentException} (a bad
 * value) or an {@link IllegalStateException} (a missing setting or a conflict, as {@link
 * OidcSessionConfig.Builder#build()} documents) whose message names, by the name the deployment
 * used, at least one setting it gave or one that is missing; never another exception type.
 * {@code OIDC_CLIENT_KEY_FILE} is left out: a fuzzed path would read arbitrary files.
 * Regression inputs: {@code ConfigSourcesFuzzTestInputs/}; fuzzing: README.
 */
class ConfigSourcesFuzzTest {

  private static final List<String> NAMES = List.of("BASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID",
      "OIDC_CLIENT_AUTH", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_KEY_ID", "OIDC_SCOPES", "OIDC_PROMPT",
      "OIDC_ACR_VALUES", "OIDC_AUDIENCE", "OIDC_RESOURCE", "OIDC_ROLES_CLAIM", "OIDC_PATH_PREFIX",
      "OIDC_PUBLIC_PATHS", "OIDC_LOGGED_OUT_PATH", "SESSION_SECRET", "SESSION_RENEWAL_INTERVAL",
      "SESSION_RENEWAL_JITTER", "SESSION_MAX_LIFETIME", "SESSION_IDLE_TIMEOUT");

  @FuzzTest
  void aBadSettingIsNamedNeverAnotherException(FuzzedDataProvider data) {
    Map<String, String> initParams = new HashMap<>();
    Map<String, String> environment = new HashMap<>();
    if (data.consumeBoolean()) {
      environment.put("BASE_URL", "https://app.example");
      environment.put("OIDC_ISSUER", "https://idp.example");
      environment.put("OIDC_CLIENT_ID", "app");
    }
    int count = data.consumeInt(0, 8);
    for (int i = 0; i < count; i++) {
      String name = NAMES.get(data.consumeInt(0, NAMES.size() - 1));
      (data.consumeBoolean() ? initParams : environment).put(name, data.consumeString(80));
    }

    try {
      OidcSessionConfig.fromSources(initParams::get, environment::get).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      assertThat(e.getMessage()).as("%s", e).matches(m -> NAMES.stream().anyMatch(m::contains),
          "names a setting");
    }
  }
}
