package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration from the environment and {@code init-param}s, fuzzed: any values for any of the
 * settings either build a configuration or fail with an {@link IllegalArgumentException} whose
 * message names a setting by the name the deployment uses ({@code OIDC_CLIENT_KEY_ID}, not {@code
 * clientKeyId}), and every setting it names as given with the source it came from; never another
 * exception type. {@code OIDC_CLIENT_KEY_FILE} is never given: a fuzzed path would read
 * arbitrary files.
 * Regression inputs: {@code ConfigSourcesFuzzTestInputs/}; fuzzing: README.
 */
class ConfigSourcesFuzzTest {

  private static final List<String> NAMES = List.of("BASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID",
      "OIDC_CLIENT_AUTH", "OIDC_CLIENT_SECRET", "OIDC_CLIENT_KEY_ID", "OIDC_SCOPES", "OIDC_PROMPT",
      "OIDC_ACR_VALUES", "OIDC_AUDIENCE", "OIDC_RESOURCE", "OIDC_ROLES_CLAIM", "OIDC_PATH_PREFIX",
      "OIDC_PUBLIC_PATHS", "OIDC_LOGGED_OUT_PATH", "SESSION_SECRET", "SESSION_RENEWAL_INTERVAL",
      "SESSION_RENEWAL_JITTER", "SESSION_MAX_LIFETIME", "SESSION_IDLE_TIMEOUT",
      "OIDC_DECODED_CACHE_SIZE");

  private static final Pattern PREFIX =
      Pattern.compile("([A-Z_]+) \\((init-param|environment variable)\\)( and |: )");

  @FuzzTest
  @DictionaryEntries({"https://", "http://localhost", "none", "client_secret_basic",
      "client_secret_post", "private_key_jwt", "PT15M", "PT1H", "P1D", "0.2", "/oidc", "/x/*",
      "openid", "login", "select_account", "0123456789abcdef0123456789abcdef"})
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
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      assertThat(message).as("%s", e).matches(
          m -> NAMES.stream().anyMatch(m::contains) || m.contains("OIDC_CLIENT_KEY_FILE"),
          "names a setting");
      // The prefix "NAME (source) and NAME (source): ": each name given, from that source.
      Matcher prefix = PREFIX.matcher(message);
      while (prefix.lookingAt()) {
        String name = prefix.group(1);
        assertThat(initParams.containsKey(name) || environment.containsKey(name)).as("%s", e).isTrue();
        String where = initParams.containsKey(name) ? "init-param" : "environment variable";
        assertThat(prefix.group(2)).as("%s", e).isEqualTo(where);
        if (prefix.group(3).equals(": ")) {
          break;
        }
        prefix.region(prefix.end(), message.length());
      }
    }
  }
}
