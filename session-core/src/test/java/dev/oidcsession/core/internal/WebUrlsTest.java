package dev.oidcsession.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one loopback rule. */
class WebUrlsTest {

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.0.0.2", "127.255.255.255", "[::1]", "::1"})
  void loopbackHosts(String host) {
    assertThat(WebUrls.isLoopback(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1.evil.example", "128.0.0.1", "127.0.0", "127.0.0.256", "127.0.0.-1", "localhost.evil.example", "[::2]", "0.0.0.0", ""})
  void otherHosts(String host) {
    assertThat(WebUrls.isLoopback(host)).isFalse();
  }
}
