package dev.oidcsession.redis;

import dev.oidcsession.core.PublicApi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of session-redis, pinned in {@code api/}; see {@link PublicApi}. */
class PublicApiTest {

  @Test
  void publicApi_matchesTheListing() {
    PublicApi.assertMatches("dev.oidcsession.redis", Path.of("api", "dev.oidcsession.redis.api"));
  }
}
