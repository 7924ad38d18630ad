package dev.oidcsession.benchmarks.load;

import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.redis.RedisConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The driver of {@code benchmarks/run.sh}: starts the development provider, one redis-server per
 * Redis variant and every variant in its own JVM (same heap flags), all on free loopback ports;
 * logs the sessions in; then, round after round, runs wrk against each variant in turn (the order
 * rotating each round), first with one session and then with many in rotation; and writes
 * RESULTS.md ({@link Report}).
 *
 * <p>Arguments: {@code --results FILE --work DIR --boot-ours-cp CLASSPATH --boot-spring-cp
 * CLASSPATH --command TEXT}. Environment, all optional: {@code BENCH_ROUNDS} (3), {@code
 * BENCH_SECONDS} (15), {@code BENCH_WARMUP_SECONDS} (5), {@code BENCH_JIT_WARMUP_SECONDS} (20, each
 * variant's load before round 1, so that no round measures a JVM still compiling), {@code
 * BENCH_SESSIONS} (2000), {@code
 * BENCH_CONNECTIONS} (32), {@code BENCH_THREADS} (2, wrk's), {@code BENCH_HEAP} (512m), {@code
 * BENCH_CLIENT_CACHE} (10000 entries), {@code WRK} (wrk), {@code REDIS_SERVER_BIN}, {@code
 * BENCH_VARIANTS} (a comma-separated list of variant ids to run, all by default) and {@code
 * BENCH_JAVA_OPTIONS} (extra JVM flags for every variant, split on spaces, {@code {id}} replaced
 * by the variant's id: for example a flight recording per variant).
 */
public final class LoadRun {

  static final String CLIENT_ID = "bench";
  static final String CLIENT_SECRET = "bench-client-secret-for-the-dev-provider-only";
  private static final Duration START_DEADLINE = Duration.ofMinutes(3);
  private static final int LOGIN_THREADS = 4;

  private LoadRun() {}

  /** Settings of one run, from the environment. */
  record Settings(int rounds, Duration duration, Duration warmup, Duration jitWarmup, int sessions,
      int connections,
      int threads, String heap, int clientCache, String wrk, List<String> variants,
      List<String> javaOptions) {
    static Settings from(Map<String, String> env) {
      return new Settings(
          integer(env, "BENCH_ROUNDS", 3),
          Duration.ofSeconds(integer(env, "BENCH_SECONDS", 15)),
          Duration.ofSeconds(integer(env, "BENCH_WARMUP_SECONDS", 5)),
          Duration.ofSeconds(integer(env, "BENCH_JIT_WARMUP_SECONDS", 20)),
          integer(env, "BENCH_SESSIONS", 2000),
          integer(env, "BENCH_CONNECTIONS", 32),
          integer(env, "BENCH_THREADS", 2),
          env.getOrDefault("BENCH_HEAP", "512m"),
          integer(env, "BENCH_CLIENT_CACHE", 10_000),
          env.getOrDefault("WRK", "wrk"),
          words(env.getOrDefault("BENCH_VARIANTS", "").replace(',', ' ')),
          words(env.getOrDefault("BENCH_JAVA_OPTIONS", "")));
    }

    List<String> jvmFlags() {
      return List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC");
    }

    List<String> jvmFlags(Variant v) {
      List<String> flags = new ArrayList<>(jvmFlags());
      javaOptions.forEach(option -> flags.add(option.replace("{id}", v.id())));
      return flags;
    }

    boolean runs(Variant v) {
      return variants.isEmpty() || variants.contains(v.id());
    }

    private static List<String> words(String value) {
      return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      int parsed = Integer.parseInt(value.trim());
      if (parsed < 0) {
        throw new IllegalArgumentException(name + " must be at least 0, but was " + value);
      }
      return parsed;
    }
  }

  /** Runs the benchmark; see the class Javadoc for the arguments. */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Settings settings = Settings.from(System.getenv());
    Path work = Path.of(options.get("--work"));
    Files.createDirectories(work.resolve("logs"));
    Instant started = Instant.now();
    List<App> apps = new ArrayList<>();
    Map<Variant, String> unavailable = new LinkedHashMap<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> apps.forEach(App::close)));
    HttpClient http = Login.client();

    Map<Variant, Integer> ports = new LinkedHashMap<>();
    for (Variant v : List.of(Variant.BARE, Variant.MEMORY, Variant.REDIS, Variant.REDIS_CACHED,
        Variant.BOOT_OURS, Variant.BOOT_SPRING)) {
      ports.put(v, Ports.free());
    }
    DevProvider.Builder builder = DevProvider.builder().port(0)
        .accessTokenLifetime(Duration.ofHours(12))
        .idTokenLifetime(Duration.ofHours(12))
        .refreshTokenLifetime(Duration.ofHours(24))
        .client(CLIENT_ID, CLIENT_SECRET,
            URI.create("http://127.0.0.1:" + ports.get(Variant.MEMORY) + "/oidc/callback"));
    for (Variant v : List.of(Variant.REDIS, Variant.REDIS_CACHED, Variant.BOOT_OURS)) {
      builder.redirectUri(URI.create("http://127.0.0.1:" + ports.get(v) + "/oidc/callback"));
    }
    builder.redirectUri(URI.create(
        "http://127.0.0.1:" + ports.get(Variant.BOOT_SPRING) + "/login/oauth2/code/dev"));

    String redisVersion = "";
    try (DevProvider provider = builder.build()) {
      provider.start();
      Path redisBinary = RedisServer.binary(work.resolve("redis-bin"));
      String java = ProcessHandle.current().info().command().orElse("java");
      String loadClasspath = System.getProperty("java.class.path");
      for (Map.Entry<Variant, Integer> entry : ports.entrySet()) {
        Variant v = entry.getKey();
        int port = entry.getValue();
        if (!settings.runs(v)) {
          continue;
        }
        if (v == Variant.REDIS_CACHED) {
          String refused = clientCacheRefused(settings.clientCache());
          if (refused != null) {
            unavailable.put(v, "this build's RedisConfig refuses client_cache: " + refused);
            continue;
          }
        }
        RedisServer redis = null;
        try {
          if (v.redis()) {
            redis = RedisServer.start(redisBinary, work.resolve("redis-" + v.id()));
            redisVersion = RedisServer.fields(redis.info("server")).get("redis_version");
          }
          List<String> command = new ArrayList<>(List.of(java));
          command.addAll(settings.jvmFlags(v));
          command.addAll(command(v, port, provider.issuer(), redis, settings, loadClasspath, options));
          System.out.printf("starting %s on port %d%n", v.id(), port);
          apps.add(App.start(v, port, redis, command, work.resolve("logs/" + v.id() + ".log"), http,
              START_DEADLINE));
        } catch (IOException e) {
          if (redis != null) {
            redis.close();
          }
          unavailable.put(v, e.getMessage());
          System.out.printf("%s is left out: %s%n", v.id(), e.getMessage());
        }
      }

      Map<Variant, List<String>> cookies = new LinkedHashMap<>();
      for (App app : apps) {
        cookies.put(app.variant, logIn(app, settings.sessions(), http));
        Files.write(work.resolve("cookies-" + app.variant.id() + ".txt"), cookies.get(app.variant));
        System.out.printf("%s: %d sessions logged in and checked%n", app.variant.id(),
            cookies.get(app.variant).size());
      }

      Path script = work.resolve("rotate.lua");
      try (var in = LoadRun.class.getResourceAsStream("rotate.lua")) {
        Files.write(script, in.readAllBytes());
      }
      Wrk wrk = new Wrk(settings.wrk(), settings.threads(), settings.connections(), script);
      if (!settings.jitWarmup().isZero()) {
        // A Spring Boot app needs far more than one warm-up of a few seconds before its code is
        // compiled: without this, round 1 measured a Boot variant at half its speed.
        for (App app : apps) {
          System.out.printf("%s: %d s of load before round 1 (JIT warm-up)%n", app.variant.id(),
              settings.jitWarmup().toSeconds());
          wrk.run(app.url("/bench/json").toString(), settings.jitWarmup(),
              cookies.get(app.variant).get(0),
              settings.sessions() > 1 ? work.resolve("cookies-" + app.variant.id() + ".txt") : null);
        }
      }
      List<Measurement> measurements = new ArrayList<>();
      List<Integer> modes = settings.sessions() > 1 ? List.of(1, settings.sessions()) : List.of(1);
      for (int round = 1; round <= settings.rounds(); round++) {
        List<App> order = new ArrayList<>(apps);
        Collections.rotate(order, -(round - 1));
        for (int sessions : modes) {
          for (App app : order) {
            Path file = sessions == 1 ? null : work.resolve("cookies-" + app.variant.id() + ".txt");
            Measurement m = measure(round, sessions, app, apps, wrk, settings,
                cookies.get(app.variant).get(0), file, http);
            measurements.add(m);
            System.out.printf("round %d, %d session(s), %-12s %9.0f req/s, p50 %7.0f us, p99 %7.0f us,"
                    + " CPU %6.1f us/req, Redis %.2f cmd/req %.0f B/req%s%n",
                round, sessions, app.variant.id(), m.requestsPerSecond(), m.p50Micros(), m.p99Micros(),
                m.cpuMicrosPerRequest(), m.redisCommandsPerRequest(), m.redisBytesPerRequest(),
                m.valid() ? "" : " (INVALID: served " + m.served() + ", failures " + m.failures() + ")");
          }
        }
      }
      Report report = new Report(settings, measurements, unavailable, options.get("--command"),
          started, Instant.now(), wrkVersion(settings.wrk()), redisVersion, modes);
      Files.writeString(Path.of(options.get("--results")), report.markdown());
      System.out.println("wrote " + options.get("--results"));
    } finally {
      apps.forEach(App::close);
      apps.clear();
    }
  }

  /** The command (after {@code java} and the heap flags) that starts {@code v}. */
  private static List<String> command(Variant v, int port, String issuer, RedisServer redis,
      Settings settings, String loadClasspath, Map<String, String> options) {
    String redisUrl = redis == null ? null : "redis://127.0.0.1:" + redis.port;
    String jetty = JettyApp.class.getName();
    return switch (v.id()) {
      case "bare" -> List.of("-cp", loadClasspath, jetty, "bare", Integer.toString(port));
      case "memory" -> List.of("-cp", loadClasspath, jetty, "memory", Integer.toString(port), issuer,
          CLIENT_ID, CLIENT_SECRET);
      case "redis" -> List.of("-cp", loadClasspath, jetty, "redis", Integer.toString(port), issuer,
          CLIENT_ID, CLIENT_SECRET, redisUrl);
      case "redis-cached" -> List.of("-cp", loadClasspath, jetty, "redis", Integer.toString(port),
          issuer, CLIENT_ID, CLIENT_SECRET, redisUrl + "?client_cache=" + settings.clientCache());
      case "boot-ours" -> List.of("-cp", options.get("--boot-ours-cp"),
          "dev.oidcsession.benchmarks.boot.ours.BootOidcSessionApp",
          "--server.address=127.0.0.1", "--server.port=" + port,
          "--oidc.session.base-url=http://127.0.0.1:" + port,
          "--oidc.session.issuer=" + issuer,
          "--oidc.session.client-id=" + CLIENT_ID,
          "--oidc.session.client-secret=" + CLIENT_SECRET,
          "--oidc.session.public-paths=/bench/stats",
          "--oidc.session.policy.renewal-interval=2h",
          "--oidc.session.redis.url=" + redisUrl);
      case "boot-spring" -> List.of("-cp", options.get("--boot-spring-cp"),
          "dev.oidcsession.benchmarks.boot.security.BootSpringSecurityApp",
          "--server.address=127.0.0.1", "--server.port=" + port,
          "--spring.security.oauth2.client.registration.dev.client-id=" + CLIENT_ID,
          "--spring.security.oauth2.client.registration.dev.client-secret=" + CLIENT_SECRET,
          "--spring.security.oauth2.client.registration.dev.scope=openid,profile,email",
          "--spring.security.oauth2.client.provider.dev.issuer-uri=" + issuer,
          "--spring.data.redis.host=127.0.0.1",
          "--spring.data.redis.port=" + redis.port);
      default -> throw new IllegalArgumentException("variant must be known, but was " + v.id());
    };
  }

  /** Null when this build's RedisConfig takes {@code client_cache=N}, else why not. */
  private static String clientCacheRefused(int entries) {
    try {
      RedisConfig.fromUrl("redis://127.0.0.1:6379?client_cache=" + entries);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * Logs {@code count} users in (user-00000, user-00001, ...) and checks that each cookie gets the
   * user's own JSON answer; the bare variant gets placeholder cookies of the same shape.
   */
  private static List<String> logIn(App app, int count, HttpClient http) throws Exception {
    int n = Math.max(1, count);
    List<String> cookies = new ArrayList<>(Collections.nCopies(n, ""));
    ExecutorService pool = Executors.newFixedThreadPool(app.variant.login() ? LOGIN_THREADS : 1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        done.add(pool.submit(() -> {
          String user = String.format("user-%05d", index);
          String cookie = app.variant.login()
              ? new Login(http).login(app.url("/bench/json"), user)
              : "bench=" + user;
          HttpResponse<String> check = http.send(HttpRequest.newBuilder(app.url("/bench/json"))
              .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
          String expected = app.variant.login() ? user : "anonymous";
          if (check.statusCode() != 200 || !check.body().contains("\"sub\":\"" + expected + "\"")) {
            throw new IOException(app.variant.id() + ": the session of " + user + " answered HTTP "
                + check.statusCode() + " " + check.body());
          }
          cookies.set(index, cookie);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return cookies;
  }

  private static Measurement measure(int round, int sessions, App app, List<App> apps, Wrk wrk,
      Settings settings, String cookie, Path cookieFile, HttpClient http) throws Exception {
    String url = app.url("/bench/json").toString();
    if (!settings.warmup().isZero()) {
      wrk.run(url, settings.warmup(), cookie, cookieFile);
    }
    List<Long> pids = new ArrayList<>();
    for (App each : apps) {
      pids.add(each.pid());
      if (each.redis != null) {
        pids.add(each.redis.pid());
      }
    }
    List<Long> measured = app.redis == null ? List.of(app.pid()) : List.of(app.pid(), app.redis.pid());
    App.Stats before = app.stats(http);
    RedisServer.Counters redisBefore = app.redis == null ? null : app.redis.counters();
    ProcCpu.Snapshot cpuBefore = ProcCpu.take(pids);
    Wrk.Result result = wrk.run(url, settings.duration(), cookie, cookieFile);
    ProcCpu.Snapshot cpuAfter = ProcCpu.take(pids);
    RedisServer.Counters redis = app.redis == null ? null : app.redis.counters().minus(redisBefore);
    App.Stats after = app.stats(http);
    // Per request means per answer the app served over the run: that includes the few requests
    // still in flight when wrk stopped, which wrk does not count but which did cost CPU and Redis.
    long served = after.served() - before.served();
    double requests = Math.max(1, Math.max(served, result.requests()));
    return new Measurement(round, sessions, app.variant, result.requests(),
        result.requestsPerSecond(), result.p50Micros(), result.p99Micros(),
        (after.cpuNanos() - before.cpuNanos()) / 1_000.0 / requests,
        redis == null ? Double.NaN : redis.commands() / requests,
        redis == null ? Double.NaN : redis.outputBytes() / requests,
        redis == null ? Map.of() : redis.calls(),
        served, result.non2xx() + result.socketErrors(),
        ProcCpu.between(cpuBefore, cpuAfter, measured, Runtime.getRuntime().availableProcessors()));
  }

  private static String wrkVersion(String wrk) {
    try {
      Process p = new ProcessBuilder(wrk, "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor();
      return out.replaceAll("\\s*Copyright.*", "").trim();
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
