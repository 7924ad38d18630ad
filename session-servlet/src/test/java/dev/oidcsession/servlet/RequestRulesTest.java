package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestRulesTest {

  private static RequestRules rules(String... publicPaths) {
    return new RequestRules(OidcSessionConfig.builder().baseUrl("https://app.example.com")
        .issuer("https://login.example.com/").clientId("x").publicPaths(publicPaths).build());
  }

  @Test
  void aSubtreeIsItsBaseAndEverythingUnderIt_notASiblingThatSharesItsPrefix() {
    RequestRules rules = rules("/public/*", "/health");
    assertThat(rules.isPublic("/public")).isTrue();
    assertThat(rules.isPublic("/public/")).isTrue();
    assertThat(rules.isPublic("/public/a/b.css")).isTrue();
    assertThat(rules.isPublic("/publicity")).isFalse();
    assertThat(rules.isPublic("/publi")).isFalse();
    assertThat(rules.isPublic("/")).isFalse();
    assertThat(rules.isPublic("")).isFalse();
    assertThat(rules.isPublic("/health")).isTrue();
    assertThat(rules.isPublic("/health/x")).isFalse();
    assertThat(rules.isPublic("/app")).isFalse();
  }

  @Test
  void theRootSubtreeMakesEveryPathPublic() {
    RequestRules rules = rules("/*");
    assertThat(rules.isPublic("")).isTrue();
    assertThat(rules.isPublic("/")).isTrue();
    assertThat(rules.isPublic("/app")).isTrue();
  }
}
