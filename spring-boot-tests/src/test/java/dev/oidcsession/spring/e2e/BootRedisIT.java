package dev.oidcsession.spring.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.redis.RedisProcesses;
import dev.oidcsession.redis.RedisSessionStore;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The starter on Redis (one redis-server spawned for the class), chosen by one property. */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class BootRedisIT {

  static RedisProcesses redis;
  static BootApp app;

  @BeforeAll
  static void start() throws Exception {
    redis = new RedisProcesses();
    RedisProcesses.Node server = redis.server();
    app = new BootApp(BootApp.Plain.class,
        "spring.autoconfigure.exclude=" + BootApp.NO_SECURITY,
        "oidc.session.redis.url=redis://127.0.0.1:" + server.port);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    redis.close();
  }

  @Test
  void store_isRedis() {
    assertThat(app.context.getBean(SessionStore.class)).isInstanceOf(RedisSessionStore.class);
  }

  @Test
  void wholeLife_login_renew_logout() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> me = Flows.login(browser, app, "/api/me", "alice");
    assertThat(me.body()).isEqualTo("principal=alice remoteUser=alice");
    Flows.renew(browser, app, "/api/me");
    Flows.logout(browser, app, "/api/me");
  }

  @Test
  void backChannelLogout_fromTheProvider_endsTheSession() throws Exception {
    Browser browser = new Browser();
    Flows.login(browser, app, "/api/me", "bob");
    Flows.backChannelLogout(browser, app, "bob");
  }

  @Test
  void health_reportsRedisAndItsEvictionPolicy() {
    HttpResponse<String> health = new Browser().get(app.base + "/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"store\":\"redis\"")
        .contains("\"evictionPolicy\":\"volatile-ttl\"");
  }
}
