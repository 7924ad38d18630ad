package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnPathsTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/app", "/app/page?x=1&y=%2F", "/a%20b", "/path#frag", "/%E2%9C%93"})
  void isLocal_localPaths_areKept(String path) {
    assertThat(ReturnPaths.sanitize(path)).isEqualTo(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "app", "https://evil.example/", "//evil.example", "/\\evil.example",
      "\\\\evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%2f/evil.example",
      "/%5Cevil.example", "/%255Cevil.example", "/%25252F%25252Fevil.example", "/ok\r\nSet-Cookie:x",
      "/ok%0d%0aSet-Cookie:x", "/ok%0aLocation:x", "javascript:alert(1)", "/bad%zz", "/tab\t"})
  void isLocal_redirectsOffSiteOrInjections_fallBackToRoot(String attempt) {
    assertThat(ReturnPaths.sanitize(attempt)).isEqualTo("/");
  }

  @ParameterizedTest
  @ValueSource(ints = {2048, 2049})
  void isLocal_boundaryOfTheLength(int length) {
    String path = "/" + "a".repeat(length - 1);
    assertThat(ReturnPaths.isLocal(path)).isEqualTo(length <= ReturnPaths.MAX_LENGTH);
  }
}
