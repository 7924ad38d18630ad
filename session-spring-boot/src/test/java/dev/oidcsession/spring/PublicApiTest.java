package dev.oidcsession.spring;

import dev.oidcsession.core.PublicApi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of session-spring-boot, pinned in {@code api/}; see {@link PublicApi}. */
class PublicApiTest {

  @Test
  void publicApi_matchesTheListing() {
    PublicApi.assertMatches("dev.oidcsession.spring", Path.of("api", "dev.oidcsession.spring.api"));
  }
}
