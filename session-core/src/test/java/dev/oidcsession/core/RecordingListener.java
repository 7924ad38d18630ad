package dev.oidcsession.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as a short line, e.g. {@code "renewalFailed willRetry=true"}. */
final class RecordingListener implements SessionListener {

  final List<String> events = new CopyOnWriteArrayList<>();
  final List<EndedSession> ended = new CopyOnWriteArrayList<>();

  @Override
  public void created(Session session) {
    events.add("created");
  }

  @Override
  public void renewed(Session previous, Session renewed) {
    events.add("renewed");
  }

  @Override
  public void renewalFailed(Session session, TokenRenewalException failure, boolean willRetry) {
    events.add("renewalFailed " + failure.kind() + " willRetry=" + willRetry);
  }

  @Override
  public void ended(EndedSession end) {
    events.add("ended " + end.reason());
    ended.add(end);
  }
}
