package dev.oidcsession.redis;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.PushConsumerContext;
import redis.clients.jedis.PushMessageTypes;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One dedicated connection to one data node with {@code CLIENT TRACKING ON BCAST PREFIX} on the
 * store's key prefix: Redis pushes on it an {@code invalidate} for every change of every key under
 * the prefix, whichever client made it and whichever connection read the key. A thread of its own
 * blocks reading it, so pushes are applied as they arrive and a closed connection ({@code CLIENT
 * KILL}, a restart, a crashed node) is seen at once; a {@code PING} sent by {@link #heartbeat}
 * that goes unanswered catches a peer gone without closing.
 *
 * <p>The pooled connections that serve commands do not matter to the cache's freshness: one of
 * them dying loses nothing, since this connection hears of every change. This one dying is
 * reported once to {@code onLoss}, after which the listener is closed for good.
 */
final class InvalidationListener implements AutoCloseable {

  private final HostAndPort node;
  private final Link link;
  private final Thread reader;
  private final Consumer<InvalidationListener> onLoss;
  private volatile boolean up = true;
  /** {@link System#nanoTime()} of the unanswered PING, 0 when none is outstanding. */
  private volatile long pingSentAt;

  private InvalidationListener(
      HostAndPort node, Link link, Consumer<InvalidationListener> onLoss) {
    this.node = node;
    this.link = link;
    this.onLoss = onLoss;
    this.reader = new Thread(this::read, "oidc-session-invalidations-" + node);
    this.reader.setDaemon(true);
  }

  /**
   * Connects to {@code node} (with the data connections' credentials and TLS), turns on broadcast
   * tracking of {@code prefix}, and starts reading; invalidated keys go to {@code invalidate}
   * ({@code null}: everything, as after a {@code FLUSHALL}).
   *
   * @throws JedisException if the node cannot be reached or refuses tracking
   */
  static InvalidationListener open(
      HostAndPort node,
      JedisClientConfig config,
      String prefix,
      Consumer<List<Object>> invalidate,
      Consumer<InvalidationListener> onLoss) {
    Link link = new Link(node, config, invalidate);
    try {
      link.sendCommand(Protocol.Command.CLIENT, "TRACKING", "ON", "BCAST", "PREFIX", prefix);
      String reply = link.getStatusCodeReply();
      if (!"OK".equals(reply)) {
        throw new JedisException("CLIENT TRACKING refused: " + reply);
      }
      link.setTimeoutInfinite();
    } catch (RuntimeException e) {
      link.close();
      throw e;
    }
    InvalidationListener listener = new InvalidationListener(node, link, onLoss);
    listener.reader.start();
    return listener;
  }

  /** The data node this listens to. */
  HostAndPort node() {
    return node;
  }

  /** Whether the connection is still known to be open. */
  boolean up() {
    return up;
  }

  /**
   * Sends a {@code PING}, or closes the connection when the previous one went unanswered for
   * longer than {@code timeoutNanos}. Called from one scheduler thread only.
   */
  void heartbeat(long timeoutNanos) {
    long sent = pingSentAt;
    long now = System.nanoTime();
    if (sent != 0) {
      if (now - sent > timeoutNanos) {
        close(); // the reader sees the closed socket and reports the loss
      }
      return;
    }
    try {
      pingSentAt = now;
      link.sendPing();
    } catch (RuntimeException e) {
      close();
    }
  }

  private void read() {
    try {
      while (up) {
        link.next(); // pushes are applied inside; what comes back is a PONG
        pingSentAt = 0;
      }
    } catch (RuntimeException e) {
      // closed, killed, restarted or timed out: whatever this connection would have heard is lost
    } finally {
      up = false;
      link.forceClose();
      onLoss.accept(this);
    }
  }

  /** Closes the connection; the reader thread reports the loss and ends. */
  @Override
  public void close() {
    up = false;
    link.forceClose();
  }

  @Override
  public String toString() {
    return "InvalidationListener[" + node + (up ? ", up" : ", lost") + "]";
  }

  /** A Jedis connection that applies {@code invalidate} pushes and lets one thread read it. */
  private static final class Link extends Connection {

    Link(HostAndPort node, JedisClientConfig config, Consumer<List<Object>> invalidate) {
      super(node, config);
      addPushConsumer(context -> apply(context, invalidate));
    }

    private static PushConsumerContext apply(
        PushConsumerContext context, Consumer<List<Object>> invalidate) {
      List<Object> content = context.getMessage().getContent();
      if (Arrays.equals(PushMessageTypes.INVALIDATE_BYTES, context.getMessage().getType())
          && content != null
          && content.size() == 2) {
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) content.get(1);
        invalidate.accept(keys);
        context.drop();
      }
      return context;
    }

    /** Reads the next reply that is not a push (pushes are applied while waiting). */
    Object next() {
      return readProtocolWithCheckingBroken();
    }

    /** Writes a {@code PING} without reading its reply (the reader thread reads it). */
    void sendPing() {
      sendCommand(Protocol.Command.PING);
      flush();
    }

    void forceClose() {
      try {
        forceDisconnect();
      } catch (java.io.IOException e) {
        // the socket is closed either way
      }
    }
  }
}
