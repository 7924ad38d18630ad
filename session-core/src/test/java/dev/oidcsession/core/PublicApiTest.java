package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of session-core, pinned in {@code api/}; see {@link PublicApi}. The {@code
 * .internal} package is not API, but its public members are listed too, so that widening what
 * other modules may call is a visible diff in review as well.
 */
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

  @Test
  void internal_publicMembers_matchTheListing() {
    PublicApi.assertMatches("dev.oidcsession.core.internal",
        Path.of("api", "dev.oidcsession.core.internal.api"));
  }

  @Test
  void packages_onlyTheListedOnesExist() throws IOException, URISyntaxException {
    Path classes = Path.of(SessionManager.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      files.filter(f -> f.toString().endsWith(".class"))
          .forEach(f -> packages.add(classes.relativize(f.getParent()).toString()
              .replace(f.getFileSystem().getSeparator(), ".")));
    }

    assertThat(packages)
        .as("every package of session-core has an API listing in api/")
        .containsExactly("dev.oidcsession.core", "dev.oidcsession.core.internal",
            "dev.oidcsession.core.oidc");
  }
}
