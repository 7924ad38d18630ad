package dev.oidcsession.micrometer;

import dev.oidcsession.core.PublicApi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of session-micrometer, pinned in {@code api/}; see {@link PublicApi}. */
class PublicApiTest {

  @Test
  void publicApi_matchesTheListing() {
    PublicApi.assertMatches(
        "dev.oidcsession.micrometer", Path.of("api", "dev.oidcsession.micrometer.api"));
  }
}
