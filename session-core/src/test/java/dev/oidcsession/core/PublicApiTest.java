package dev.oidcsession.core;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of session-core, pinned in {@code api/}; see {@link PublicApi}. */
class PublicApiTest {

  @Test
  void core_publicApi_matchesTheListing() {
    PublicApi.assertMatches("dev.oidcsession.core", Path.of("api", "dev.oidcsession.core.api"));
  }

  @Test
  void oidc_publicApi_matchesTheListing() {
    PublicApi.assertMatches("dev.oidcsession.core.oidc",
        Path.of("api", "dev.oidcsession.core.oidc.api"));
  }
}
