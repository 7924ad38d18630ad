package dev.oidcsession.core;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets a test log at WARN or ERROR without {@link NoSecretsInLogs} failing it: for tests that
 * provoke a fault on purpose (a store or provider outage, a bad configuration). The secret checks
 * still apply. On a method it covers that test. On a class it covers what the class logs outside
 * its tests (construction, {@code @BeforeAll}/{@code @AfterAll}, background threads between
 * tests), e.g. the one-time warning of a plain-{@code http} test deployment; its tests too only
 * with {@link #everyTest()}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
public @interface ExpectsWarnings {

  /** Why this test logs warnings: the fault it provokes. Required, so the reason is written. */
  String value();

  /** On a class: whether every test of it may warn too, for a class that is all faults. */
  boolean everyTest() default false;

  /**
   * If not empty, only warnings whose message contains one of these texts are expected; any other
   * still fails. For a known, deliberate warning such as a plain-{@code http} loopback deployment.
   */
  String[] matching() default {};
}
