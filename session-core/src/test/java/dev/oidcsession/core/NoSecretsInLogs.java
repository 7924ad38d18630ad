package dev.oidcsession.core;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails any test during which a log event of oidc-session (message, arguments or exception text,
 * at any level down to DEBUG) holds a secret: anything that looks like a JWT ({@code eyJ}), a test token marker
 * ({@code -secret-}), or a value a test registered with {@link #forbid(String)} (cookie values,
 * client secrets). Registered for every test of the module through JUnit's extension
 * auto-detection; usable by other modules from the test-jar.
 */
public final class NoSecretsInLogs implements BeforeEachCallback, AfterEachCallback {

  private static final Set<String> FORBIDDEN = ConcurrentHashMap.newKeySet();
  private static final List<String> PATTERNS = List.of("eyJ", "-secret-");

  private final Capture capture = new Capture();

  /** Makes {@code secret} fail the current test if it appears in any log event. */
  public static void forbid(String secret) {
    FORBIDDEN.add(secret);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    capture.events.clear();
    capture.start();
    root().addAppender(capture);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    root().detachAppender(capture);
    capture.stop();
    try {
      for (ILoggingEvent event : capture.events) {
        if (!event.getLoggerName().startsWith("dev.oidcsession.")) {
          continue; // our promise covers our own log lines; a user's HTTP logging is theirs
        }
        String text = render(event);
        for (String pattern : PATTERNS) {
          if (text.contains(pattern)) {
            throw new AssertionError("a log event holds a secret-looking value (" + pattern
                + "): " + event.getLoggerName() + " " + event.getLevel());
          }
        }
        for (String secret : FORBIDDEN) {
          if (text.contains(secret)) {
            throw new AssertionError("a log event holds a registered secret: "
                + event.getLoggerName() + " " + event.getLevel());
          }
        }
      }
    } finally {
      FORBIDDEN.clear();
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static String render(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
      for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
        text.append('\n').append(frame.getSTEAsString());
      }
    }
    return text.toString();
  }

  private static final class Capture extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  }
}
