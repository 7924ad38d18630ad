package dev.oidcsession.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.SessionStore;
import dev.oidcsession.redis.RedisProcesses;
import dev.oidcsession.redis.RedisSessionStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The Redis store and its health, against one real redis-server shared by the class. */
class OidcSessionRedisIT {

  static RedisProcesses redis;
  static RedisProcesses.Node server;

  final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(OidcSessionAutoConfiguration.class))
      .withPropertyValues(
          "oidc.session.issuer=https://login.example.test",
          "oidc.session.client-id=boot-app",
          "oidc.session.client-secret=boot-client-secret-0123456789abcdef",
          "oidc.session.base-url=https://app.example.test");

  @BeforeAll
  static void start() {
    redis = new RedisProcesses();
    server = redis.server(); // RedisProcesses configures maxmemory-policy volatile-ttl
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Test
  void redisUrlProperty_selectsTheRedisStore_andHealthReportsTheEvictionPolicy() {
    runner.withPropertyValues("oidc.session.redis.url=redis://127.0.0.1:" + server.port,
        "oidc.session.redis.key-prefix=boot:").run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(SessionStore.class)).isInstanceOf(RedisSessionStore.class);
          var health = context.getBean(Boot4StoreHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("store", "redis")
              .containsEntry("evictionPolicy", "volatile-ttl")
              .containsEntry("evictionPolicyRecommended", true)
              .doesNotContainKey("url");
          assertThat(health.getDetails().toString()).doesNotContain(String.valueOf(server.port));
        });
  }

  @Test
  void redisUrlEnvironmentVariable_selectsTheRedisStore() {
    runner.withPropertyValues("REDIS_URL=redis://127.0.0.1:" + server.port).run(context ->
        assertThat(context.getBean(SessionStore.class)).isInstanceOf(RedisSessionStore.class));
  }

  @Test
  void redisUnreachable_startsAnyway_andHealthIsDown() {
    runner.withPropertyValues("oidc.session.redis.url=redis://127.0.0.1:1",
        "oidc.session.redis.connect-timeout=200ms").run(context -> {
          assertThat(context).hasNotFailed();
          var health = context.getBean(Boot4StoreHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails()).containsEntry("store", "redis").containsKey("error");
        });
  }
}
