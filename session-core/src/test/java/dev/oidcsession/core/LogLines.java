package dev.oidcsession.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the log events of a logger and its children (e.g. a package) while open. */
final class LogLines implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogLines(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  /** The engine's loggers: {@code dev.oidcsession.core} without its subpackages' protocol code. */
  static LogLines engine() {
    return new LogLines("dev.oidcsession.core");
  }

  /** The formatted messages logged at {@code level}, in order. */
  List<String> at(Level level) {
    synchronized (appender) {
      return appender.list.stream()
          .filter(e -> e.getLevel().equals(level))
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
