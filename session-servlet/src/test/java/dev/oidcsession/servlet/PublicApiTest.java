package dev.oidcsession.servlet;

import dev.oidcsession.core.PublicApi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of session-servlet, pinned in {@code api/}; see {@link PublicApi}. */
class PublicApiTest {

  @Test
  void publicApi_matchesTheListing() {
    PublicApi.assertMatches("dev.oidcsession.servlet", Path.of("api", "dev.oidcsession.servlet.api"));
  }
}
