package dev.oidcsession.redis;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.HostAndPort;

/**
 * A parsed Redis URL. Forms (the password is URL-encoded when it holds reserved characters):
 *
 * <pre>
 * redis://[[user]:password@]host[:port][/database]
 * rediss://[[user]:password@]host[:port][/database]
 * redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/database]?master=name
 * rediss-sentinel://...same...
 * redis-cluster://[[user]:password@]host[:port][,host[:port]...]
 * rediss-cluster://...same...
 * </pre>
 *
 * Ports default to 6379 (26379 for sentinels). The user and password are those of the data
 * nodes; sentinels are contacted without credentials. Every form takes {@code ?client_cache=N}
 * (with {@code &} after {@code master=} for Sentinel): a client-side cache of at most {@code N}
 * entries, {@code 0} when absent.
 */
record RedisUrl(
    Topology topology,
    boolean tls,
    List<HostAndPort> hosts,
    String user,
    String password,
    int database,
    String masterName,
    int clientCache) {

  enum Topology {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  static final String RULE =
      "a redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or"
          + " rediss-cluster:// URL with a host";

  private static final Pattern FORM =
      Pattern.compile("(?<scheme>[a-z-]+)://(?:(?<userinfo>[^@/?#]*)@)?(?<hosts>[^/?#]*)"
          + "(?:/(?<db>[^?#]*))?(?:\\?(?<query>[^#]*))?");
  private static final Pattern HOST = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]]+)(?::(\\d{1,5}))?");

  /**
   * Parses {@code url}.
   *
   * @throws IllegalArgumentException shaped {@code url must be <rule>, but was <redacted url>}
   */
  static RedisUrl parse(String url) {
    Matcher m = FORM.matcher(url.strip());
    if (!m.matches()) {
      throw invalid(RULE, url);
    }
    String scheme = m.group("scheme");
    boolean tls = scheme.startsWith("rediss");
    Topology topology;
    switch (scheme) {
      case "redis", "rediss" -> topology = Topology.STANDALONE;
      case "redis-sentinel", "rediss-sentinel" -> topology = Topology.SENTINEL;
      case "redis-cluster", "rediss-cluster" -> topology = Topology.CLUSTER;
      default -> throw invalid(RULE, url);
    }
    String user = null;
    String password = null;
    String userinfo = m.group("userinfo");
    if (userinfo != null && !userinfo.isEmpty()) {
      int colon = userinfo.indexOf(':');
      if (colon < 0) {
        // redis://secret@host is how several platforms hand out a password-only URL.
        password = decode(userinfo, url);
      } else {
        user = colon == 0 ? null : decode(userinfo.substring(0, colon), url);
        password = decode(userinfo.substring(colon + 1), url);
        if (password.isEmpty()) {
          password = null;
        }
      }
    }
    int defaultPort = topology == Topology.SENTINEL ? 26379 : 6379;
    List<HostAndPort> hosts = new ArrayList<>();
    for (String part : m.group("hosts").split(",", -1)) {
      Matcher h = HOST.matcher(part);
      if (!h.matches()) {
        throw invalid("a URL whose hosts are host[:port], comma-separated", url);
      }
      String host = h.group(1).startsWith("[") ? h.group(1).substring(1, h.group(1).length() - 1) : h.group(1);
      int port = h.group(2) == null ? defaultPort : Integer.parseInt(h.group(2));
      if (port < 1 || port > 65535) {
        throw invalid("a URL with ports from 1 to 65535", url);
      }
      hosts.add(new HostAndPort(host, port));
    }
    if (topology == Topology.STANDALONE && hosts.size() != 1) {
      throw invalid("a redis:// or rediss:// URL with exactly one host", url);
    }
    int database = 0;
    String db = m.group("db");
    if (db != null && !db.isEmpty()) {
      if (!db.matches("\\d{1,5}")) {
        throw invalid("a URL whose path is a database number", url);
      }
      database = Integer.parseInt(db);
    }
    if (topology == Topology.CLUSTER && database != 0) {
      throw invalid("a cluster URL without a database (Redis Cluster has only database 0)", url);
    }
    Map<String, String> query = query(m.group("query"), url);
    String masterName = query.remove("master");
    String cache = query.remove("client_cache");
    if (!query.isEmpty()) {
      throw invalid(
          "a URL whose query parameters are client_cache and (for Sentinel) master", url);
    }
    int clientCache = 0;
    if (cache != null) {
      if (!cache.matches("\\d{1,7}")
          || Integer.parseInt(cache) < 1
          || Integer.parseInt(cache) > RedisConfig.MAX_CLIENT_CACHE) {
        throw invalid(
            "a URL whose client_cache is between 1 and " + RedisConfig.MAX_CLIENT_CACHE, url);
      }
      clientCache = Integer.parseInt(cache);
    }
    if (topology == Topology.SENTINEL && (masterName == null || masterName.isBlank())) {
      throw invalid("a Sentinel URL with ?master=<master name>", url);
    }
    if (topology != Topology.SENTINEL && masterName != null) {
      throw invalid("a URL with ?master= only for Sentinel", url);
    }
    return new RedisUrl(
        topology, tls, List.copyOf(hosts), user, password, database, masterName, clientCache);
  }

  /** {@code url} with its password replaced by {@code ***}. */
  static String redact(String url) {
    if (url == null) {
      return "null";
    }
    int at = url.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    int scheme = url.indexOf("://");
    int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    String userinfo = url.substring(start, at);
    int colon = userinfo.indexOf(':');
    String shown = colon < 0 ? "***" : userinfo.substring(0, colon) + ":***";
    return url.substring(0, start) + shown + url.substring(at);
  }

  /** This URL without credentials, for logs and {@code toString}. */
  String describe() {
    StringBuilder out = new StringBuilder();
    out.append(topology.name().toLowerCase()).append(tls ? "+tls " : " ");
    List<String> shown = new ArrayList<>();
    hosts.forEach(h -> shown.add(h.toString()));
    out.append(String.join(",", shown));
    if (database != 0) {
      out.append(" db ").append(database);
    }
    if (masterName != null) {
      out.append(" master ").append(masterName);
    }
    if (user != null) {
      out.append(" user ").append(user);
    }
    if (password != null) {
      out.append(" with password");
    }
    if (clientCache > 0) {
      out.append(" client_cache ").append(clientCache);
    }
    return out.toString();
  }

  /** Never the password. */
  @Override
  public String toString() {
    return "RedisUrl[" + describe() + "]";
  }

  private static Map<String, String> query(String query, String url) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw invalid("a URL whose query is name=value pairs", url);
      }
      params.put(decode(pair.substring(0, eq), url), decode(pair.substring(eq + 1), url));
    }
    return params;
  }

  private static String decode(String s, String url) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // URLDecoder's message quotes its input, which may be the password: not passed on.
      throw invalid("a URL with valid %-escapes", url);
    }
  }

  static IllegalArgumentException invalid(String rule, String url) {
    return new IllegalArgumentException("url must be " + rule + ", but was " + redact(url));
  }
}
