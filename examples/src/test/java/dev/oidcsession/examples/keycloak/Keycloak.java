package dev.oidcsession.examples.keycloak;

import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.servlet.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Keycloak server process for the whole test run: the distribution unpacked by the
 * {@code interop} profile ({@code keycloak.home}), started with {@code kc.sh start-dev} on a free
 * loopback port, an in-memory database and a fresh import directory holding the generated realm
 * ({@link InteropRealm}), its heap capped. {@link #close()} stops the process and its children;
 * JUnit calls it when the run ends, failed or not, and a shutdown hook does if the JVM ends first.
 *
 * <p>The admin helpers speak Keycloak's admin REST API with the bootstrap admin. Thread-safe.
 */
final class Keycloak implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  static final Duration START_DEADLINE = Duration.ofMinutes(4);
  private static final String ADMIN = "interop-admin";
  private static final String ADMIN_PASSWORD = "interop-admin-password-7c2f";
  private static final String HEAP = "-Xms64m -Xmx640m";

  private final Process process;
  private final Path log;
  private final int port;
  private final RSAKey jwtClientKey;
  private final Duration startTime;
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private Keycloak(Process process, Path log, int port, RSAKey jwtClientKey, Duration startTime) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.jwtClientKey = jwtClientKey;
    this.startTime = startTime;
  }

  /** Starts Keycloak and returns once the realm's discovery document is served. */
  static Keycloak start() throws Exception {
    String homeProperty = System.getProperty("keycloak.home");
    if (homeProperty == null) {
      throw new IllegalStateException("keycloak.home must be set by the interop profile (-Pinterop)"
          + ", but was not set");
    }
    Path home = Path.of(homeProperty);
    if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
      throw new IllegalStateException("keycloak.home must hold bin/kc.sh, but was " + home);
    }
    Path logs = Path.of(System.getProperty("keycloak.logs", "target/keycloak-logs"));
    Files.createDirectories(logs);
    Path log = logs.resolve("keycloak-" + System.currentTimeMillis() + ".log");

    // A fresh data directory per run: Keycloak skips the import of a realm that exists.
    Path data = home.resolve("data");
    deleteTree(data);
    Path imports = Files.createDirectories(data.resolve("import"));
    // "use": "sig" is required: Keycloak ignores a client JWK without "use".
    RSAKey key = new RSAKeyGenerator(2048).keyID("interop-jwt-1")
        .algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).generate();
    Files.writeString(imports.resolve(InteropRealm.NAME + "-realm.json"), InteropRealm.json(key));

    int port = Browser.freePort();
    int managementPort = Browser.freePort();
    ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/kc.sh").toString(),
        "start-dev",
        "--http-host=127.0.0.1",
        "--http-port=" + port,
        "--http-management-port=" + managementPort,
        "--db=dev-mem",
        "--import-realm")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.remove("JAVA_OPTS"); // kc.sh's defaults, with our heap cap below
    env.put("JAVA_OPTS_KC_HEAP", HEAP);
    long started = System.nanoTime();
    Process process = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "keycloak-stop"));
    Keycloak keycloak = new Keycloak(process, log, port, key, Duration.ZERO);
    try {
      keycloak.awaitReady();
    } catch (Exception | Error e) {
      stop(process);
      throw e;
    }
    Duration startTime = Duration.ofNanos(System.nanoTime() - started);
    System.out.println("[interop] Keycloak ready on port " + port + " after "
        + startTime.toMillis() + " ms; log " + log);
    return new Keycloak(process, log, port, key, startTime);
  }

  private void awaitReady() {
    URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
    try {
      await().atMost(START_DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("Keycloak exited with " + process.exitValue()
              + " before it was ready; its log:\n" + tail());
        }
        try {
          return http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).GET()
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notListeningYet) {
          return false;
        }
      });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("Keycloak must be ready within " + START_DEADLINE
          + ", but was not; its log:\n" + tail(), e);
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The realm's issuer, e.g. {@code http://127.0.0.1:41234/realms/interop}. */
  String issuer() {
    return "http://127.0.0.1:" + port + "/realms/" + InteropRealm.NAME;
  }

  /** How long the start took, from process start to a served discovery document. */
  Duration startTime() {
    return startTime;
  }

  /** The key pair of the {@code private_key_jwt} client, whose public half the realm holds. */
  RSAKey jwtClientKey() {
    return jwtClientKey;
  }

  /**
   * Points a client at an app: its redirect URI ({@code /oidc/callback}), its post-logout
   * redirect URIs and its back-channel logout URL ({@code /oidc/backchannel-logout}).
   */
  void pointClientAt(String clientId, String appBase) throws Exception {
    Map<String, Object> client = client(clientId);
    client.put("redirectUris", List.of(appBase + "/oidc/callback"));
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes = new LinkedHashMap<>((Map<String, Object>) client.get("attributes"));
    attributes.put("post.logout.redirect.uris", appBase + "/*");
    attributes.put("backchannel.logout.url", appBase + "/oidc/backchannel-logout");
    client.put("attributes", attributes);
    HttpResponse<String> put = admin("PUT", "/clients/" + client.get("id"),
        JSONObjectUtils.toJSONString(client));
    expect(put, 204);
  }

  /** Turns a client's front-channel logout on or off. */
  void frontChannelLogout(String clientId, boolean on) throws Exception {
    Map<String, Object> client = client(clientId);
    client.put("frontchannelLogout", on);
    expect(admin("PUT", "/clients/" + client.get("id"), JSONObjectUtils.toJSONString(client)), 204);
  }

  private Map<String, Object> client(String clientId) throws Exception {
    List<Object> clients = JSONArrayUtils.parse(expect(admin("GET",
        "/clients?clientId=" + encode(clientId), null), 200).body());
    if (clients.size() != 1) {
      throw new IllegalStateException("client " + clientId + " must exist once, but was found "
          + clients.size() + " times");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> client = new LinkedHashMap<>((Map<String, Object>) clients.get(0));
    return client;
  }

  /** The id of a user of the realm. */
  String userId(String username) throws Exception {
    List<Object> users = JSONArrayUtils.parse(expect(admin("GET",
        "/users?exact=true&username=" + encode(username), null), 200).body());
    @SuppressWarnings("unchecked")
    Map<String, Object> user = (Map<String, Object>) users.get(0);
    return (String) user.get("id");
  }

  /** The ids of a user's live provider sessions. */
  List<String> sessionsOf(String username) throws Exception {
    List<Object> sessions = JSONArrayUtils.parse(expect(admin("GET",
        "/users/" + userId(username) + "/sessions", null), 200).body());
    List<String> ids = new ArrayList<>();
    for (Object session : sessions) {
      ids.add((String) ((Map<?, ?>) session).get("id"));
    }
    return ids;
  }

  /** Admin: logs a user out everywhere; Keycloak sends back-channel logout tokens. */
  void logOut(String username) throws Exception {
    expect(admin("POST", "/users/" + userId(username) + "/logout", ""), 204);
  }

  /** Admin: deletes one provider session; Keycloak sends a back-channel logout token for it. */
  void deleteSession(String sessionId) throws Exception {
    expect(admin("DELETE", "/sessions/" + encode(sessionId), null), 204);
  }

  /**
   * The saved events of the realm for the given provider sessions, oldest first, as
   * {@code type} and {@code sessionId} (and {@code error}, for failures).
   */
  List<Event> events(java.util.Collection<String> sessionIds) throws Exception {
    return allEvents().stream()
        .filter(e -> e.sessionId() != null && sessionIds.contains(e.sessionId())).toList();
  }

  /**
   * Every saved event of the realm since {@code since} (Keycloak and the tests share the
   * machine's clock), also those that name no session: a refresh grant Keycloak cannot even
   * parse has none.
   */
  List<Event> eventsSince(Instant since) throws Exception {
    return allEvents().stream().filter(e -> e.time() >= since.toEpochMilli()).toList();
  }

  private List<Event> allEvents() throws Exception {
    StringBuilder query = new StringBuilder("/events?max=100000");
    for (String type : InteropRealm.EVENT_TYPES) {
      query.append("&type=").append(type);
    }
    List<Object> all = JSONArrayUtils.parse(expect(admin("GET", query.toString(), null), 200).body());
    List<Event> events = new ArrayList<>();
    for (Object item : all) {
      Map<?, ?> event = (Map<?, ?>) item;
      Map<?, ?> details = event.get("details") instanceof Map<?, ?> d ? d : Map.of();
      events.add(new Event(((Number) event.get("time")).longValue(), (String) event.get("type"),
          (String) event.get("sessionId"), (String) event.get("clientId"),
          (String) event.get("error"), (String) details.get("reason"),
          (String) details.get("client_auth_method")));
    }
    events.sort(Comparator.comparingLong(Event::time));
    return events;
  }

  /** Counts of {@link #events} by type, e.g. {@code {LOGIN=1, CODE_TO_TOKEN=1, REFRESH_TOKEN=1}}. */
  Map<String, Long> eventCounts(java.util.Collection<String> sessionIds) throws Exception {
    return events(sessionIds).stream().collect(Collectors.groupingBy(Event::type,
        java.util.TreeMap::new, Collectors.counting()));
  }

  /** One saved Keycloak event. */
  record Event(long time, String type, String sessionId, String clientId, String error,
      String reason, String clientAuthMethod) {}

  /**
   * A refresh-token grant sent straight to Keycloak by the test, as the confidential client:
   * the status code and body (the body is an error document, or tokens the test discards).
   */
  HttpResponse<String> refreshDirectly(String clientId, String secret, String refreshToken)
      throws Exception {
    String form = "grant_type=refresh_token&refresh_token=" + encode(refreshToken)
        + "&client_id=" + encode(clientId) + "&client_secret=" + encode(secret);
    return http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/admin/realms/" + InteropRealm.NAME + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + adminToken());
    if (json != null) {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  // The master realm's admin tokens live 60 s: one per call keeps the helpers simple.
  private String adminToken() throws Exception {
    String form = "grant_type=password&client_id=admin-cli&username=" + encode(ADMIN)
        + "&password=" + encode(ADMIN_PASSWORD);
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/realms/master/protocol/openid-connect/token"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    expect(response, 200);
    return (String) JSONObjectUtils.parse(response.body()).get("access_token");
  }

  private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(response.request().method() + " " + response.uri().getPath()
          + " must answer " + status + ", but answered " + response.statusCode() + ": "
          + response.body());
    }
    return response;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static Map<String, Object> json(String body) {
    try {
      return JSONObjectUtils.parse(body);
    } catch (ParseException e) {
      throw new IllegalStateException("not a JSON object: " + body, e);
    }
  }

  @Override
  public void close() {
    stop(process);
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy(); // SIGTERM: Keycloak shuts down cleanly
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "Keycloak[" + issuer() + ", started in " + startTime.toMillis() + " ms]";
  }
}
