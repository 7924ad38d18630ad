package dev.oidcsession.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import okhttp3.HttpUrl;

/**
 * Return-path validation, fuzzed: no path {@link LocalPaths#isLocal} accepts leaves the site when
 * a browser resolves it against the page, as sent or after one or two rounds of percent-decoding
 * by a proxy. The oracle is OkHttp's URL resolution, which follows the WHATWG URL standard as
 * browsers do (backslash as slash, leading and trailing whitespace dropped). Regression inputs:
 * {@code LocalPathsFuzzTestInputs/}; fuzzing: README.
 */
class LocalPathsFuzzTest {

  private static final HttpUrl PAGE = HttpUrl.get("https://app.example/shop/cart?x=1");

  @FuzzTest
  @DictionaryEntries({"//", "/\\", "%2f", "%2F", "%5c", "%252f", "%25", "%09", "%0a", "\t", "http:",
      "https://evil.example", "@", "..", "%2e%2e", "/;", "?", "#"})
  void anAcceptedPathNeverLeavesTheSite(FuzzedDataProvider data) {
    String candidate = data.consumeRemainingAsString();
    if (!LocalPaths.isLocal(candidate)) {
      return;
    }
    String current = candidate;
    for (int round = 0; round < 3 && current != null; round++) {
      HttpUrl target = PAGE.resolve(current);
      if (target != null) {
        assertThat(target.scheme()).as("scheme of %s", current).isEqualTo("https");
        assertThat(target.host()).as("host of %s", current).isEqualTo("app.example");
        assertThat(target.port()).as("port of %s", current).isEqualTo(443);
      }
      current = decoded(current);
    }
  }

  private static String decoded(String value) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
