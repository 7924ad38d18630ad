package dev.oidcsession.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.slf4j.LoggerFactory;

/**
 * Watches the whole log of a test class, from before its instance is constructed to after its
 * {@code @AfterAll}, on every thread (renewal executors, HTTP client and server threads included),
 * and fails:
 *
 * <ul>
 *   <li>any test, or the class, during which an oidc-session log event (message, arguments or
 *       exception text, at any level down to DEBUG) holds a secret: anything that looks like a JWT
 *       ({@code eyJ}), a test token marker ({@code -secret-}), or a value a test registered with
 *       {@link #forbid(String)} (cookie values, client secrets, codes, state, nonce, verifier);
 *   <li>any test during which oidc-session logs at WARN or ERROR, unless the test (or its class,
 *       with {@link ExpectsWarnings#everyTest()}) is annotated {@link ExpectsWarnings} with the
 *       reason; and the class, for such an event outside its tests ({@code @BeforeAll},
 *       construction, a background thread after the last test), unless the class is annotated.
 * </ul>
 *
 * <p>Only events of {@code dev.oidcsession.*} loggers are kept and judged: the promise covers the
 * library's own lines (and the test doubles'), not a container's or HTTP client's debug logging.
 * Registered for every test class of each module through JUnit's extension auto-detection, from
 * session-core's test-jar. Test classes run one at a time (the build runs no tests in parallel);
 * a class that starts while another runs ({@code @Nested}, or a test that launches tests) is
 * judged on its own, on the events logged while it was the innermost.
 */
public final class NoSecretsInLogs implements TestInstancePreConstructCallback, BeforeAllCallback,
    BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private static final List<String> PATTERNS = List.of("eyJ", "-secret-");
  private static final Capture CAPTURE = new Capture();

  /** Makes {@code secret} fail the current test and its class if it appears in any log event. */
  public static void forbid(String secret) {
    if (secret != null && !secret.isEmpty()) {
      CAPTURE.forbid(secret);
    }
  }

  /** A log event as the guard keeps it: rendered at once, so later mutation cannot hide text. */
  record Line(Level level, String logger, String thread, String text, boolean inTest) {}

  /** One running test class: its lines, its secrets, whether one of its tests is running. */
  private static final class Frame {
    final Class<?> testClass;
    final List<Line> lines = new ArrayList<>();
    final Set<String> forbidden = ConcurrentHashMap.newKeySet();
    int methodStart = -1;

    Frame(Class<?> testClass) {
      this.testClass = testClass;
    }
  }

  @Override
  public void preConstructTestInstance(TestInstanceFactoryContext factoryContext,
      ExtensionContext context) {
    CAPTURE.classStarts(context.getRequiredTestClass());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    CAPTURE.classStarts(context.getRequiredTestClass());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    CAPTURE.methodStarts(context.getRequiredTestClass());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Frame frame = CAPTURE.frame(context.getRequiredTestClass());
    if (frame == null) {
      return;
    }
    List<Line> lines = CAPTURE.methodEnds(frame);
    ExpectsWarnings onMethod = context.getElement()
        .map(e -> e.getAnnotation(ExpectsWarnings.class)).orElse(null);
    ExpectsWarnings onClass = context.getRequiredTestClass().getAnnotation(ExpectsWarnings.class);
    check(lines, frame.forbidden,
        onMethod != null ? onMethod : onClass != null && onClass.everyTest() ? onClass : null,
        "this test");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Frame frame = CAPTURE.classEnds(context.getRequiredTestClass());
    if (frame == null) {
      return;
    }
    // What the class logged outside its tests; each test judged its own lines.
    check(frame.lines.stream().filter(l -> !l.inTest()).toList(), frame.forbidden,
        frame.testClass.getAnnotation(ExpectsWarnings.class),
        "the class outside its tests (construction, @BeforeAll/@AfterAll, background threads)");
  }

  /** Whether {@code expected} (null: none expected) covers this WARN or ERROR line. */
  private static boolean expected(ExpectsWarnings expected, Line line) {
    if (expected == null) {
      return false;
    }
    if (expected.matching().length == 0) {
      return true;
    }
    for (String text : expected.matching()) {
      if (line.text().contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static void check(List<Line> lines, Set<String> forbidden, ExpectsWarnings warnings,
      String where) {
    List<Line> unexpected = new ArrayList<>();
    for (Line line : lines) {
      for (String pattern : PATTERNS) {
        if (line.text().contains(pattern)) {
          throw new AssertionError("a log event of " + where + " holds a secret-looking value ("
              + pattern + "): " + describe(line));
        }
      }
      for (String secret : forbidden) {
        if (line.text().contains(secret)) {
          throw new AssertionError("a log event of " + where + " holds a registered secret: "
              + line.logger() + " " + line.level() + " [" + line.thread() + "]");
        }
      }
      if (line.level().isGreaterOrEqual(Level.WARN) && !expected(warnings, line)) {
        unexpected.add(line);
      }
    }
    if (!unexpected.isEmpty()) {
      // Every distinct line (up to five), so one run shows all a test must declare.
      throw new AssertionError(where + " logged at " + unexpected.get(0).level()
          + " without @ExpectsWarnings saying why: " + String.join(" | ",
              unexpected.stream().map(NoSecretsInLogs::describe).distinct().limit(5).toList()));
    }
  }

  private static String describe(Line line) {
    // The start of the message only: enough to find the line, too little to reprint a secret.
    String text = line.text();
    int cut = Math.min(text.length(), 120);
    for (String pattern : PATTERNS) {
      int at = text.indexOf(pattern);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    return line.logger() + " " + line.level() + " [" + line.thread() + "] "
        + text.substring(0, cut);
  }

  private static String render(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
      for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
        text.append('\n').append(frame.getSTEAsString());
      }
    }
    return text.toString();
  }

  /**
   * The one appender on the root logger while any class runs. Each event goes to the innermost
   * running class; only oidc-session's events are kept. Thread-safe: one lock for the frames.
   */
  private static final class Capture extends AppenderBase<ILoggingEvent> {
    private final Deque<Frame> frames = new ArrayDeque<>();

    @Override
    protected void append(ILoggingEvent event) {
      if (!event.getLoggerName().startsWith("dev.oidcsession.")) {
        return;
      }
      String text = render(event);
      synchronized (frames) {
        Frame top = frames.peek();
        if (top != null) {
          top.lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getThreadName(),
              text, top.methodStart >= 0));
        }
      }
    }

    void forbid(String secret) {
      synchronized (frames) {
        Frame top = frames.peek();
        if (top != null) {
          top.forbidden.add(secret);
        }
      }
    }

    void classStarts(Class<?> testClass) {
      synchronized (frames) {
        if (frame(testClass) != null) {
          return; // constructed per method, or both callbacks ran: one frame per class
        }
        if (frames.isEmpty()) {
          if (!isStarted()) {
            start();
          }
          root().addAppender(this);
        }
        frames.push(new Frame(testClass));
      }
    }

    Frame frame(Class<?> testClass) {
      synchronized (frames) {
        for (Frame frame : frames) {
          if (frame.testClass == testClass) {
            return frame;
          }
        }
        return null;
      }
    }

    void methodStarts(Class<?> testClass) {
      synchronized (frames) {
        Frame frame = frame(testClass);
        if (frame != null) {
          frame.methodStart = frame.lines.size();
        }
      }
    }

    List<Line> methodEnds(Frame frame) {
      synchronized (frames) {
        int start = frame.methodStart;
        frame.methodStart = -1;
        return start < 0 ? List.of() : List.copyOf(frame.lines.subList(start, frame.lines.size()));
      }
    }

    Frame classEnds(Class<?> testClass) {
      synchronized (frames) {
        Frame frame = frame(testClass);
        if (frame == null) {
          return null;
        }
        frames.remove(frame);
        if (frames.isEmpty()) {
          root().detachAppender(this);
        }
        return frame;
      }
    }

    private static Logger root() {
      return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
  }
}
