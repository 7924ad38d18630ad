package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Redis URL parsing, fuzzed: any string parses or fails with an {@link IllegalArgumentException},
 * never another exception; a parsed URL has at least one host, ports from 1 to 65535 and a
 * database from 0; and a password in the URL appears neither in the error message nor in the
 * parsed URL's {@code toString()}. Regression inputs: {@code RedisUrlFuzzTestInputs/}; fuzzing:
 * README.
 */
class RedisUrlFuzzTest {

  private static final String PASSWORD = "Pw7xQ2vLk9";
  private static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel",
      "rediss-sentinel", "redis-cluster", "rediss-cluster");

  @FuzzTest
  void parsesOrNamesTheRuleWithoutThePassword(FuzzedDataProvider data) {
    boolean withPassword = data.consumeBoolean();
    String url = withPassword
        ? SCHEMES.get(data.consumeInt(0, SCHEMES.size() - 1)) + "://" + withoutPassword(user(data.consumeString(10)))
            + ":" + PASSWORD + "@" + withoutPassword(data.consumeRemainingAsString())
        : data.consumeRemainingAsString();

    RedisUrl parsed;
    try {
      parsed = RedisUrl.parse(url);
    } catch (IllegalArgumentException e) {
      if (withPassword) {
        assertThat(e.getMessage()).doesNotContain(PASSWORD);
      }
      return;
    }
    assertThat(parsed.hosts()).isNotEmpty();
    parsed.hosts().forEach(h -> assertThat(h.getPort()).isBetween(1, 65535));
    assertThat(parsed.database()).isNotNegative();
    if (withPassword) {
      assertThat(parsed.toString()).doesNotContain(PASSWORD);
    }
  }

  /** A user name that keeps the password in the password's place: no {@code @ / ? # :}. */
  private static String user(String s) {
    return s.replaceAll("[@/?#:]", "");
  }

  /** The rest of the URL without a copy of the password (a copy there is not the password). */
  private static String withoutPassword(String s) {
    String rest = s;
    while (rest.contains(PASSWORD)) {
      rest = rest.replace(PASSWORD, "");
    }
    return rest;
  }
}
