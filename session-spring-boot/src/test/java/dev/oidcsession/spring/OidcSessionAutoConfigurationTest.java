package dev.oidcsession.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.micrometer.SessionMetrics;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition and property of {@link OidcSessionAutoConfiguration}, as Boot starts it. */
class OidcSessionAutoConfigurationTest {

  static final String SECRET = "boot-client-secret-0123456789abcdef";

  final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(OidcSessionAutoConfiguration.class))
      .withPropertyValues(
          "oidc.session.issuer=https://login.example.test",
          "oidc.session.client-id=boot-app",
          "oidc.session.client-secret=" + SECRET,
          "oidc.session.base-url=https://app.example.test");

  /** The one-sentence reason start-up failed, as the failure analyzer reports it. */
  static String startupFailure(AssertableWebApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable t = context.getStartupFailure();
    while (t != null && !(t instanceof OidcSessionConfigurationException)) {
      t = t.getCause();
    }
    assertThat(t).as("an OidcSessionConfigurationException in the causes of %s",
        context.getStartupFailure()).isNotNull();
    return t.getMessage();
  }

  @Nested
  class Defaults {

    @Test
    void fourProperties_registerTheFilterBeforeSpringSecurity() {
      runner.run(context -> {
        assertThat(context).hasNotFailed().hasSingleBean(OidcSessionFilter.class);
        FilterRegistrationBean<?> registration =
            context.getBean("oidcSessionFilterRegistration", FilterRegistrationBean.class);
        assertThat(registration.getFilter()).isSameAs(context.getBean(OidcSessionFilter.class));
        assertThat(registration.getOrder()).isEqualTo(-105).isLessThan(-100);
        assertThat(registration.getUrlPatterns()).containsExactly("/*");
        assertThat(registration.isAsyncSupported()).isTrue();
        assertThat(registration.determineDispatcherTypes()).isEqualTo(
            EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
      });
    }

    @Test
    void store_default_isInMemory() {
      runner.run(context ->
          assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class));
    }

    @Test
    void policy_default_isTheLibrarysDefaults() {
      runner.run(context -> assertThat(context.getBean(SessionPolicy.class).toString())
          .isEqualTo(SessionPolicy.defaults().toString()));
    }

    @Test
    void nonWebApplication_installsNothing() {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(OidcSessionAutoConfiguration.class))
          .withPropertyValues("oidc.session.issuer=https://login.example.test")
          .run(context -> assertThat(context).hasNotFailed()
              .doesNotHaveBean(OidcSessionFilter.class));
    }

    @Test
    void enabled_false_installsNothing() {
      runner.withPropertyValues("oidc.session.enabled=false").run(context ->
          assertThat(context).hasNotFailed().doesNotHaveBean(OidcSessionFilter.class)
              .doesNotHaveBean(SessionStore.class));
    }

    @Test
    void withoutSessionServlet_installsNothing() {
      runner.withClassLoader(new FilteredClassLoader(OidcSessionFilter.class)).run(context ->
          assertThat(context).hasNotFailed().doesNotHaveBean("oidcSessionFilterRegistration"));
    }
  }

  @Nested
  class Properties {

    @Test
    void filterOrderAndPatterns_areUsed() {
      runner.withPropertyValues("oidc.session.filter.order=7",
          "oidc.session.filter.url-patterns=/app/*,/oidc/*").run(context -> {
            FilterRegistrationBean<?> registration =
                context.getBean("oidcSessionFilterRegistration", FilterRegistrationBean.class);
            assertThat(registration.getOrder()).isEqualTo(7);
            assertThat(registration.getUrlPatterns()).containsExactly("/app/*", "/oidc/*");
          });
    }

    @Test
    void policyProperties_reachTheSessionPolicy() {
      runner.withPropertyValues(
          "oidc.session.policy.renewal-interval=10m",
          "oidc.session.policy.renewal-jitter=0.2",
          "oidc.session.policy.renewal-lead=PT45S",
          "oidc.session.policy.min-token-ttl=20s",
          "oidc.session.policy.max-lifetime=8h",
          "oidc.session.policy.idle-timeout=30m",
          "oidc.session.policy.token-expiry-skew=5s",
          "oidc.session.policy.renewal-retry-initial-delay=2s",
          "oidc.session.policy.renewal-retry-max-delay=1m",
          "oidc.session.policy.renewal-lease=90s",
          "oidc.session.policy.renewal-wait-timeout=5s").run(context -> {
            SessionPolicy p = context.getBean(SessionPolicy.class);
            assertThat(p.renewalInterval()).isEqualTo(Duration.ofMinutes(10));
            assertThat(p.renewalJitter()).isEqualTo(0.2);
            assertThat(p.renewalLead()).isEqualTo(Duration.ofSeconds(45));
            assertThat(p.minTokenTtl()).isEqualTo(Duration.ofSeconds(20));
            assertThat(p.maxLifetime()).contains(Duration.ofHours(8));
            assertThat(p.idleTimeout()).contains(Duration.ofMinutes(30));
            assertThat(p.tokenExpirySkew()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.renewalRetryInitialDelay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(p.renewalRetryMaxDelay()).isEqualTo(Duration.ofMinutes(1));
            assertThat(p.renewalLease()).isEqualTo(Duration.ofSeconds(90));
            assertThat(p.renewalWaitTimeout()).isEqualTo(Duration.ofSeconds(5));
          });
    }

    @Test
    void filterProperties_reachTheFilterConfiguration() {
      runner.withPropertyValues(
          "oidc.session.scopes=openid,email",
          "oidc.session.path-prefix=/auth",
          "oidc.session.public-paths=/,/public/*",
          "oidc.session.logged-out-path=/bye",
          "oidc.session.session-secret=0123456789abcdef0123456789abcdef-secret-x").run(context -> {
            assertThat(context).hasNotFailed();
            String config = context.getBean(OidcSessionFilter.class).toString();
            assertThat(context.getBean(OidcSessionFilter.class).sessions()).isNotNull();
            assertThat(config).doesNotContain(SECRET);
          });
    }

    @Test
    void authorizationParametersAndRolesClaim_areAccepted() {
      runner.withPropertyValues(
          "oidc.session.client-auth=client_secret_post",
          "oidc.session.prompt=login",
          "oidc.session.acr-values=urn:mace:incommon:iap:silver,phr",
          "oidc.session.audience=https://api.example.test",
          "oidc.session.resource=https://api.example.test/",
          "oidc.session.roles-claim=realm_access.roles").run(context ->
          assertThat(context).hasNotFailed().hasSingleBean(OidcSessionFilter.class));
    }

    @Test
    void decodedCacheSize_isPassedOn_andAnOutOfRangeOneNamesTheProperty() {
      OidcSessionProperties properties = new OidcSessionProperties();
      properties.setBaseUrl("https://app.example.test");
      properties.setIssuer("https://login.example.test");
      properties.setClientId("boot-app");
      properties.setDecodedCacheSize(20_000);
      assertThat(ConfigMapping.config(properties, SessionPolicy.defaults(),
              new InMemorySessionStore(java.time.Clock.systemUTC())).build()
          .decodedCacheSize()).hasValue(20_000);
      runner.withPropertyValues("oidc.session.decoded-cache-size=20000").run(context ->
          assertThat(context).hasNotFailed().hasSingleBean(OidcSessionFilter.class));
      runner.withPropertyValues("oidc.session.decoded-cache-size=-1").run(context ->
          assertThat(startupFailure(context)).isEqualTo("oidc.session.decoded-cache-size:"
              + " decodedCacheSize must be between 0 and 1000000, but was -1"));
    }

    @ExpectsWarnings("a public client without SESSION_SECRET: the random pending-login key warning")
    @Test
    void clientSecret_absent_isAPublicClient() {
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(OidcSessionAutoConfiguration.class))
          .withPropertyValues("oidc.session.issuer=https://login.example.test",
              "oidc.session.client-id=spa", "oidc.session.base-url=https://app.example.test")
          .run(context -> assertThat(context).hasNotFailed().hasSingleBean(OidcSessionFilter.class));
    }
  }

  @Nested
  class BadValues {

    @Test
    void issuer_missing_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.issuer=").run(context ->
          assertThat(startupFailure(context)).isEqualTo(
              "oidc.session.issuer must be set (the provider's issuer URL), but was not"));
    }

    @Test
    void clientId_missing_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.client-id=").run(context ->
          assertThat(startupFailure(context)).isEqualTo("oidc.session.client-id must be set"
              + " (the client id registered at the provider), but was not"));
    }

    @Test
    void baseUrl_missing_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.base-url=").run(context ->
          assertThat(startupFailure(context)).isEqualTo("oidc.session.base-url must be set"
              + " (the app's external URL, e.g. https://app.example.com), but was not"));
    }

    @Test
    void baseUrl_notAUrl_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.base-url=app.example.test").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.base-url: baseUrl must be")
              .contains("but was app.example.test").doesNotContain("\n"));
    }

    @Test
    void renewalJitter_outOfRange_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.policy.renewal-jitter=1.5").run(context ->
          assertThat(startupFailure(context))
              .startsWith("oidc.session.policy.renewal-jitter: renewalJitter must be")
              .endsWith("but was 1.5"));
    }

    @Test
    void renewalInterval_zero_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.policy.renewal-interval=0s").run(context ->
          assertThat(startupFailure(context))
              .startsWith("oidc.session.policy.renewal-interval: renewalInterval must be")
              .endsWith("but was PT0S"));
    }

    @Test
    void renewalInterval_notADuration_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.policy.renewal-interval=soon").run(context -> {
        assertThat(context).hasFailed();
        // Spring Boot's binder reports it: "Failed to bind properties under '<name>' to Duration".
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
          messages.add(t.getMessage());
        }
        assertThat(messages).anySatisfy(m -> assertThat(m).contains(
            "Failed to bind properties under 'oidc.session.policy.renewal-interval'"));
      });
    }

    @Test
    void sessionSecret_tooShort_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.session-secret=short").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.session-secret: ")
              .doesNotContain("short"));
    }

    @Test
    void prompt_unknown_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.prompt=sometimes").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.prompt: ")
              .contains("sometimes"));
    }

    @Test
    void resource_relative_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.resource=api").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.resource: "));
    }

    @Test
    void clientAuth_notAMethod_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.client-auth=password").run(context -> {
        assertThat(context).hasFailed();
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
          messages.add(t.getMessage());
        }
        assertThat(messages).anySatisfy(m -> assertThat(m).contains(
            "Failed to bind properties under 'oidc.session.client-auth'"));
      });
    }

    @Test
    void privateKeyJwt_withoutAKey_failsNamingTheProperties() {
      runner.withPropertyValues("oidc.session.client-auth=private_key_jwt").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.* do not fit together: "));
    }

    @Test
    void clientKeyFile_withClientSecret_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.client-key-file=/nonexistent/key.pem").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.client-key-file: clientKey"
              + " must not be set with clientSecret").doesNotContain(SECRET));
    }

    @Test
    void clientKeyFile_missing_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.client-secret=",
          "oidc.session.client-key-file=/nonexistent/key.pem").run(context ->
          assertThat(startupFailure(context)).startsWith("oidc.session.client-key-file: ")
              .contains("/nonexistent/key.pem"));
    }

    @Test
    void redisUrl_withoutSessionRedis_failsSayingWhichDependency() {
      runner.withPropertyValues("oidc.session.redis.url=redis://127.0.0.1:1")
          .withClassLoader(new FilteredClassLoader("dev.oidcsession.redis."))
          .run(context -> assertThat(startupFailure(context)).isEqualTo(
              "oidc.session.redis.url (or REDIS_URL) is set, but session-redis is not on the"
                  + " classpath: add the dependency dev.oidcsession:session-redis."));
    }

    @Test
    void redisUrl_withJedisOlderThan72_failsNamingJedisVersion() {
      runner.withPropertyValues("REDIS_URL=redis://127.0.0.1:1")
          .withClassLoader(new FilteredClassLoader(name ->
              name.equals(RedisSupport.JEDIS_MARKER_CLASS)
                  || name.equals("META-INF/maven/redis.clients/jedis/pom.properties")))
          .run(context -> assertThat(startupFailure(context)).isEqualTo(
              "oidc.session.redis.url (or REDIS_URL) is set, but the Jedis on the classpath"
                  + " (a version without redis.clients.jedis.RedisClient) is older than the 8.0.2"
                  + " that session-redis needs, because Spring Boot's dependency management"
                  + " pins an older Jedis: set the build property jedis.version to 8.0.2."));
    }

    @Test
    void redisPoolSize_outOfRange_failsNamingTheProperty() {
      runner.withPropertyValues("oidc.session.redis.url=redis://127.0.0.1:1",
          "oidc.session.redis.pool-size=0").run(context ->
          assertThat(startupFailure(context))
              .startsWith("oidc.session.redis.pool-size: poolSize must be between 1 and"));
    }
  }

  @Nested
  class Overrides {

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
      static final InMemorySessionStore STORE = new InMemorySessionStore(Clock.systemUTC());
      static final SessionPolicy POLICY =
          SessionPolicy.builder().renewalInterval(Duration.ofMinutes(3)).build();

      @Bean
      SessionStore myStore() {
        return STORE;
      }

      @Bean
      SessionPolicy myPolicy() {
        return POLICY;
      }

      @Bean
      SessionMetrics myMetrics() {
        return SessionMetrics.create();
      }
    }

    @Test
    void storePolicyAndMetrics_ownBeans_replaceTheDefaults() {
      runner.withUserConfiguration(OwnBeans.class)
          .withPropertyValues("oidc.session.policy.renewal-interval=0s") // ignored: own policy
          .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(SessionStore.class)).isSameAs(OwnBeans.STORE);
            assertThat(context.getBean(SessionPolicy.class)).isSameAs(OwnBeans.POLICY);
            assertThat(context.getBean(OidcSessionFilter.class).sessions().policy())
                .isSameAs(OwnBeans.POLICY);
            assertThat(context).hasSingleBean(SessionMetrics.class);
          });
    }
  }

  @Nested
  class ListenersHttpClientExecutor {

    static final java.util.List<String> HEARD = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final okhttp3.OkHttpClient CLIENT = new okhttp3.OkHttpClient();

    @Configuration(proxyBeanMethods = false)
    static class Own {
      @Bean
      dev.oidcsession.core.SessionListener audit() {
        return new dev.oidcsession.core.SessionListener() {
          @Override
          public void created(dev.oidcsession.core.Session session) {
            HEARD.add("created " + session.subject());
          }
        };
      }

      @Bean(name = OidcSessionAutoConfiguration.HTTP_CLIENT_BEAN)
      okhttp3.OkHttpClient myClient() {
        return CLIENT;
      }
    }

    @Test
    void everyListenerBean_andTheMetrics_hearTheSessions() {
      HEARD.clear();
      runner.withUserConfiguration(Own.class).run(context -> {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        context.getBean(SessionMetrics.class).bindTo(registry);
        context.getBean(OidcSessionFilter.class).sessions().create(dev.oidcsession.core.TestTokens
            .tokens("alice", java.time.Instant.now(), Duration.ofHours(1), Duration.ofDays(1)));
        assertThat(HEARD).containsExactly("created alice");
        assertThat(registry.get(SessionMetrics.CREATED).counter().count()).isEqualTo(1.0);
      });
    }

    @Test
    void httpClient_ownBeanByName_replacesTheDefault() {
      runner.withUserConfiguration(Own.class).run(context -> assertThat(
          context.getBean(OidcSessionAutoConfiguration.HTTP_CLIENT_BEAN)).isSameAs(CLIENT));
      runner.run(context -> assertThat(context.getBean(
          OidcSessionAutoConfiguration.HTTP_CLIENT_BEAN, okhttp3.OkHttpClient.class)
          .followRedirects()).isFalse());
    }
  }

  @Nested
  class Metrics {

    @Test
    void micrometerOnTheClasspath_bindsSessionMetrics() {
      runner.run(context -> assertThat(context).hasSingleBean(SessionMetrics.class));
    }

    @Test
    void withoutSessionMicrometer_noMetrics() {
      runner.withClassLoader(new FilteredClassLoader(SessionMetrics.class)).run(context ->
          assertThat(context).hasNotFailed().doesNotHaveBean("oidcSessionMetrics"));
    }

    @Test
    void withoutMicrometer_noMetrics() {
      runner.withClassLoader(new FilteredClassLoader("io.micrometer.core.")).run(context ->
          assertThat(context).hasNotFailed().doesNotHaveBean("oidcSessionMetrics"));
    }
  }

  @Nested
  class Health {

    @Test
    void boot4Health_inMemoryStore_isUpWithItsSize() {
      runner.run(context -> {
        var indicator = context.getBean(Boot4StoreHealthIndicator.class);
        var health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("store", "in-memory")
            .containsEntry("sessions", 0);
        assertThat(context).doesNotHaveBean(Boot3StoreHealthIndicator.class);
      });
    }

    @Test
    void boot3Health_whenBoot4HealthIsAbsent_isUsedInstead() {
      runner.withClassLoader(
              new FilteredClassLoader("org.springframework.boot.health.contributor."))
          .run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(Boot4StoreHealthIndicator.class);
            var health = context.getBean(Boot3StoreHealthIndicator.class).health();
            assertThat(health.getStatus().getCode()).isEqualTo("UP");
            assertThat(health.getDetails()).containsEntry("store", "in-memory");
          });
    }

    @Test
    void withoutAnyHealthApi_noIndicator() {
      runner.withClassLoader(new FilteredClassLoader(
              "org.springframework.boot.health.contributor.",
              "org.springframework.boot.actuate.health."))
          .run(context -> assertThat(context).hasNotFailed()
              .doesNotHaveBean("oidcSessionStoreHealthIndicator"));
    }
  }
}
