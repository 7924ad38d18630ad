package dev.oidcsession.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Real {@code redis-server} processes in one topology for one test class, started once before the
 * class's first test and stopped after its last, also when starting or a test failed:
 *
 * <pre>{@code
 * @RegisterExtension static final RedisTopology redis = RedisTopology.sentinel();
 * ... redis.store().insert(entry) ...
 * }</pre>
 *
 * <p>{@link #store()} is a {@link RedisSessionStore} made from {@link #config()}, built on first
 * use and closed with the processes; {@link #closeAfterAll} does the same for stores a test builds
 * itself. Processes come from {@link RedisProcesses}; {@link #processes()} starts more nodes that
 * live as long as the class. Not for concurrent use by several classes.
 */
public final class RedisTopology implements BeforeAllCallback, AfterAllCallback {

  /** The Sentinel master name. */
  public static final String MASTER = "mymaster";

  private static final int SLOTS = 16384;

  private enum Kind {
    STANDALONE,
    TLS,
    SENTINEL,
    CLUSTER,
    PRIMARY_WITH_REPLICA
  }

  private final Kind kind;
  private final List<String> serverArgs;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private RedisProcesses processes;
  private RedisProcesses.Node primary;
  private RedisProcesses.Node replica;
  private List<RedisProcesses.Node> sentinels = List.of();
  private List<RedisProcesses.Node> clusterNodes = List.of();
  private TestCertificates certificates;
  private String password;
  private RedisSessionStore store;

  private RedisTopology(Kind kind, List<String> serverArgs) {
    this.kind = kind;
    this.serverArgs = serverArgs;
  }

  /** One plain server, reached with {@code redis://}; {@code serverArgs} go to redis-server. */
  public static RedisTopology standalone(String... serverArgs) {
    return new RedisTopology(Kind.STANDALONE, List.of(serverArgs));
  }

  /**
   * One server on a TLS port only ({@code rediss://localhost}), with a CA and certificates made by
   * the test (a server certificate for {@code localhost}, a client certificate {@code client}).
   */
  public static RedisTopology tls() {
    return new RedisTopology(Kind.TLS, List.of());
  }

  /** A master, a replica in sync and two sentinels (quorum 1), via {@code redis-sentinel://}. */
  public static RedisTopology sentinel() {
    return new RedisTopology(Kind.SENTINEL, List.of());
  }

  /** A Cluster of three masters, slots split evenly, reached with {@code redis-cluster://}. */
  public static RedisTopology cluster() {
    return new RedisTopology(Kind.CLUSTER, List.of());
  }

  /** A primary with one replica in sync, reached with {@code redis://} on the primary. */
  public static RedisTopology primaryWithReplica() {
    return new RedisTopology(Kind.PRIMARY_WITH_REPLICA, List.of());
  }

  /**
   * The same standalone or primary-with-replica topology whose data nodes require {@code password}
   * (and whose URL carries it).
   */
  public RedisTopology withPassword(String value) {
    Objects.requireNonNull(value, "password");
    if (kind != Kind.STANDALONE && kind != Kind.PRIMARY_WITH_REPLICA) {
      throw new IllegalStateException("a password is supported for standalone servers only");
    }
    List<String> args = new ArrayList<>(serverArgs);
    args.addAll(List.of("--requirepass", value));
    RedisTopology copy = new RedisTopology(kind, List.copyOf(args));
    copy.password = value;
    return copy;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    processes = new RedisProcesses();
    try {
      switch (kind) {
        case STANDALONE -> primary = processes.server(serverArgs.toArray(String[]::new));
        case TLS -> startTls();
        case SENTINEL -> startSentinel();
        case CLUSTER -> startCluster();
        case PRIMARY_WITH_REPLICA -> {
          primary = processes.server(serverArgs.toArray(String[]::new));
          replica = addReplica();
        }
      }
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** The URL of this topology, as {@code REDIS_URL} would hold it. */
  public String url() {
    String auth = password != null ? ":" + password + "@" : "";
    return switch (kind) {
      case STANDALONE, PRIMARY_WITH_REPLICA -> "redis://" + auth + "127.0.0.1:" + primary.port;
      case TLS -> "rediss://" + auth + "localhost:" + primary.port;
      case SENTINEL -> "redis-sentinel://" + auth + "127.0.0.1:" + sentinels.get(0).port
          + ",127.0.0.1:" + sentinels.get(1).port + "/0?master=" + MASTER;
      case CLUSTER -> "redis-cluster://" + auth + "127.0.0.1:" + clusterNodes.get(0).port
          + ",127.0.0.1:" + clusterNodes.get(1).port;
    };
  }

  /** A fresh config builder with {@link #url()} (and, for TLS, the test CA) set. */
  public RedisConfig.Builder config() {
    RedisConfig.Builder builder = RedisConfig.builder().url(url());
    return kind == Kind.TLS ? builder.caCertificate(certificates.ca) : builder;
  }

  /** The store on {@link #config()} with every default, shared by the class's tests. */
  public synchronized RedisSessionStore store() {
    if (store == null) {
      store = closeAfterAll(RedisSessionStore.create(config().build()));
    }
    return store;
  }

  /** Closes {@code resource} after the class, before the processes stop; returns it. */
  public synchronized <T extends AutoCloseable> T closeAfterAll(T resource) {
    resources.add(Objects.requireNonNull(resource, "resource"));
    return resource;
  }

  /** The processes, to start more nodes (stopped with this topology) or find their directory. */
  public RedisProcesses processes() {
    return processes;
  }

  /** The data node: the server, the TLS server, the Sentinel master at start, the primary. */
  public RedisProcesses.Node primary() {
    if (primary == null) {
      throw new IllegalStateException("a " + kind + " topology has no single primary");
    }
    return primary;
  }

  /** The replica of a Sentinel or primary-with-replica topology. */
  public RedisProcesses.Node replica() {
    if (replica == null) {
      throw new IllegalStateException("a " + kind + " topology has no replica");
    }
    return replica;
  }

  /** The sentinels of a Sentinel topology. */
  public List<RedisProcesses.Node> sentinels() {
    return sentinels;
  }

  /** The masters of a Cluster topology. */
  public List<RedisProcesses.Node> clusterNodes() {
    return clusterNodes;
  }

  /** The test CA and certificates of a TLS topology. */
  TestCertificates certificates() {
    return certificates;
  }

  /** A plain connection to {@code port} on the loopback (not TLS); the caller closes it. */
  public Jedis admin(int port) {
    Jedis jedis = new Jedis("127.0.0.1", port);
    if (password != null) {
      jedis.auth(password);
    }
    return jedis;
  }

  /** {@link #admin(int)} on {@code node}. */
  public Jedis admin(RedisProcesses.Node node) {
    return admin(node.port);
  }

  /**
   * Starts a new server replicating {@link #primary()} and returns it once its link is up and the
   * primary counts it; it stops with this topology.
   */
  public RedisProcesses.Node addReplica() {
    List<String> args = new ArrayList<>(serverArgs);
    args.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(primary().port)));
    if (password != null) {
      args.addAll(List.of("--masterauth", password));
    }
    RedisProcesses.Node added = processes.server(args.toArray(String[]::new));
    await("replica on port " + added.port + " in sync")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              try (Jedis r = admin(added); Jedis p = admin(primary)) {
                return r.info("replication").contains("master_link_status:up")
                    && p.info("replication").contains("port=" + added.port + ",state=online");
              }
            });
    return added;
  }

  /**
   * Starts a new Cluster node replicating {@code master} (one of {@link #clusterNodes()}) and
   * returns it once its link is up and the master counts it; it stops with this topology.
   */
  public RedisProcesses.Node addClusterReplica(RedisProcesses.Node master) {
    RedisProcesses.Node added = processes.clusterNode();
    String masterId;
    try (Jedis m = admin(master); Jedis a = admin(added)) {
      masterId = m.clusterMyId();
      a.clusterMeet("127.0.0.1", master.port);
      await("node " + added.port + " replicates " + master.port)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .ignoreException(JedisDataException.class) // ERR Unknown node while gossip spreads
          .until(() -> "OK".equals(a.clusterReplicate(masterId)));
    }
    await("replica on port " + added.port + " in sync")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              try (Jedis r = admin(added); Jedis p = admin(master)) {
                return r.info("replication").contains("master_link_status:up")
                    && p.info("replication").contains("port=" + added.port + ",state=online");
              }
            });
    // A failover needs the votes of a majority of primaries, and a primary refuses its vote to a
    // node it does not yet know, through gossip, as a replica of the failed primary: wait until
    // every primary lists the new node as a replica of its primary.
    String addedId;
    try (Jedis a = admin(added)) {
      addedId = a.clusterMyId();
    }
    awaitOnEveryPrimary(
        "every primary knows replica " + added.port,
        node ->
            node.clusterNodes()
                .lines()
                .anyMatch(
                    line ->
                        line.startsWith(addedId + " ")
                            && line.contains(" slave " + masterId + " ")));
    return added;
  }

  private void startTls() {
    try {
      Path dir = Files.createDirectory(processes.root().resolve("certs"));
      certificates = TestCertificates.newCa(dir, "oidc-session test CA");
      certificates.issue("server", "dns:localhost");
      certificates.issue("client", null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    primary =
        processes.tlsServer(
            certificates.cert("server"), certificates.key("server"), certificates.ca, false);
  }

  private void startSentinel() {
    primary = processes.server(serverArgs.toArray(String[]::new));
    replica = processes.server("--replicaof", "127.0.0.1", Integer.toString(primary.port));
    sentinels =
        List.of(
            processes.sentinel(MASTER, primary.port, 1),
            processes.sentinel(MASTER, primary.port, 1));
    await("replica in sync and known to every sentinel")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              try (Jedis r = admin(replica)) {
                if (!r.info("replication").contains("master_link_status:up")) {
                  return false;
                }
              }
              return sentinels.stream()
                  .allMatch(
                      s -> {
                        try (Jedis sentinel = new Jedis("127.0.0.1", s.port)) {
                          return sentinel.sentinelReplicas(MASTER).size() == 1;
                        }
                      });
            });
  }

  private void startCluster() {
    clusterNodes =
        List.of(processes.clusterNode(), processes.clusterNode(), processes.clusterNode());
    for (int i = 0; i < clusterNodes.size(); i++) {
      int from = SLOTS * i / clusterNodes.size();
      int to = SLOTS * (i + 1) / clusterNodes.size();
      try (Jedis node = admin(clusterNodes.get(i))) {
        node.clusterAddSlots(IntStream.range(from, to).toArray()); // no ADDSLOTSRANGE in 6.2
      }
    }
    try (Jedis first = admin(clusterNodes.get(0))) {
      for (RedisProcesses.Node other : clusterNodes.subList(1, clusterNodes.size())) {
        first.clusterMeet("127.0.0.1", other.port);
      }
    }
    awaitOnEveryPrimary(
        "cluster_state:ok on every node",
        node -> {
          String info = node.clusterInfo();
          return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
        });
  }

  /** Waits (30 s at most) until {@code condition} holds on every primary of the Cluster. */
  private void awaitOnEveryPrimary(String alias, Predicate<Jedis> condition) {
    await(alias)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                clusterNodes.stream()
                    .allMatch(
                        n -> {
                          try (Jedis node = admin(n)) {
                            return condition.test(node);
                          }
                        }));
  }

  private synchronized void stop() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // closing a client of a stopped server may fail; the processes still stop below
      }
    }
    resources.clear();
    store = null;
    if (processes != null) {
      processes.close();
    }
  }
}
