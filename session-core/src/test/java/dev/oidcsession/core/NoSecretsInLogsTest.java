package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log guard itself: each probe class below is run through the JUnit launcher, and the guard
 * must fail it (or let it pass) for the stated reason. The probes are nested classes, which the
 * build does not run on its own.
 */
class NoSecretsInLogsTest {

  static final Logger probe = LoggerFactory.getLogger("dev.oidcsession.core.GuardProbe");
  static final String PLANTED = "planted-cookie-value-7f3a9c";

  /** Runs {@code testClass} and returns what failed: a test's or the class's throwable. */
  static List<String> failuresOf(Class<?> testClass) {
    List<String> failures = new CopyOnWriteArrayList<>();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(DiscoverySelectors.selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            result.getThrowable().ifPresent(t -> failures.add(
                (id.isTest() ? "test: " : "class: ") + t.getMessage()));
          }
        });
    return failures;
  }

  static void onAnotherThread(Runnable logging) {
    Thread thread = new Thread(logging, "probe-pool-1");
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class SecretOnABackgroundThread {
    @Test
    void logs() {
      NoSecretsInLogs.forbid(PLANTED);
      onAnotherThread(() -> probe.debug("resolved session {}", PLANTED));
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class TokenInBeforeAll {
    @BeforeAll
    static void start() {
      onAnotherThread(() -> probe.debug("got eyJhbGciOiJSUzI1NiJ9.e30.sig"));
    }

    @Test
    void nothing() {}
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class WarningWithoutAReason {
    @Test
    void warns() {
      onAnotherThread(() -> probe.warn("renewal degraded"));
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class WarningWithAReason {
    @Test
    @ExpectsWarnings("the probe provokes a warning on purpose")
    void warns() {
      probe.warn("renewal degraded");
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class WarningAfterTheLastTest {
    @Test
    @ExpectsWarnings("covers the test, not the class")
    void nothing() {}

    @AfterAll
    static void stop() {
      probe.error("shutdown failed");
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  @ExpectsWarnings("the class provokes warnings in its teardown")
  static class WarningAfterTheLastTestOfAnAnnotatedClass {
    @Test
    void nothing() {}

    @AfterAll
    static void stop() {
      probe.error("shutdown failed");
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  static class Clean {
    @Test
    void logsInfo() {
      NoSecretsInLogs.forbid(PLANTED);
      probe.info("started with a fingerprint only");
    }
  }

  @Test
  void secret_loggedOnABackgroundThreadDuringATest_failsThatTest() {
    assertThat(failuresOf(SecretOnABackgroundThread.class)).containsExactly(
        "test: a log event of this test holds a registered secret:"
            + " dev.oidcsession.core.GuardProbe DEBUG [probe-pool-1]");
  }

  @Test
  void token_loggedInBeforeAll_failsTheClass() {
    assertThat(failuresOf(TokenInBeforeAll.class)).containsExactly(
        "class: a log event of the class outside its tests (construction, @BeforeAll/@AfterAll,"
            + " background threads) holds a secret-looking value (eyJ):"
            + " dev.oidcsession.core.GuardProbe DEBUG [probe-pool-1] got ");
  }

  @Test
  void warning_withoutExpectsWarnings_failsTheTest() {
    assertThat(failuresOf(WarningWithoutAReason.class)).containsExactly(
        "test: this test logged at WARN without @ExpectsWarnings saying why:"
            + " dev.oidcsession.core.GuardProbe WARN [probe-pool-1] renewal degraded");
  }

  @Test
  void warning_withExpectsWarnings_passes() {
    assertThat(failuresOf(WarningWithAReason.class)).isEmpty();
  }

  @Test
  void error_outsideTheTests_failsTheClassUnlessTheClassExpectsWarnings() {
    assertThat(failuresOf(WarningAfterTheLastTest.class)).singleElement().asString()
        .startsWith("class: the class outside its tests").contains("logged at ERROR")
        .endsWith("shutdown failed");
    assertThat(failuresOf(WarningAfterTheLastTestOfAnAnnotatedClass.class)).isEmpty();
  }

  @ExtendWith(NoSecretsInLogs.class)
  @ExpectsWarnings("the class warns when it starts")
  static class AnnotatedClassWhoseTestWarns {
    @BeforeAll
    static void start() {
      probe.warn("plain http");
    }

    @Test
    void warns() {
      onAnotherThread(() -> probe.warn("renewal degraded"));
    }
  }

  @ExtendWith(NoSecretsInLogs.class)
  @ExpectsWarnings(value = "every test provokes an outage", everyTest = true)
  static class ClassWhoseEveryTestWarns {
    @Test
    void warns() {
      probe.warn("renewal degraded");
    }
  }

  @Test
  void classAnnotation_coversItsSetup_andItsTestsOnlyWithEveryTest() {
    assertThat(failuresOf(AnnotatedClassWhoseTestWarns.class)).containsExactly(
        "test: this test logged at WARN without @ExpectsWarnings saying why:"
            + " dev.oidcsession.core.GuardProbe WARN [probe-pool-1] renewal degraded");
    assertThat(failuresOf(ClassWhoseEveryTestWarns.class)).isEmpty();
  }

  @Test
  void info_withoutSecrets_passes() {
    assertThat(failuresOf(Clean.class)).isEmpty();
  }
}
