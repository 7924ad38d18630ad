package dev.oidcsession.spring;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.servlet.OidcSessionConfig;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Auto-configuration of oidc-session for a Spring Boot servlet app: the {@link
 * OidcSessionFilter} from {@code oidc.session.*} properties, registered before Spring Security's
 * filter chain for REQUEST, ASYNC and ERROR dispatches; the session store (in memory, or Redis
 * when {@code oidc.session.redis.url} or {@code REDIS_URL} is set); Micrometer meters and an
 * Actuator health indicator when those are on the classpath.
 *
 * <p>Serves Spring Boot 3.5 and 4.0 with one jar: it depends only on core annotations, {@code
 * FilterRegistrationBean} and {@code MeterBinder}; the parts that differ between the lines
 * (health contributors) are guarded by {@code @ConditionalOnClass} by name.
 *
 * <p>A single {@link Clock} bean, if the app has one, is the clock of token times and store
 * expiry (it must follow wall time; tests give a manual one). Beans a user can replace by
 * declaring their own: {@link SessionStore}, {@link
 * SessionPolicy}, the HTTP client named {@value #HTTP_CLIENT_BEAN}, {@link OidcSessionFilter} and
 * the registration named {@code oidcSessionFilterRegistration}. Every {@link SessionListener}
 * bean hears the sessions' events (the metrics are one), in {@code @Order}; an executor bean named
 * {@value #EXECUTOR_BEAN} runs renewals.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(OidcSessionFilter.class)
@ConditionalOnProperty(prefix = "oidc.session", name = "enabled", havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(OidcSessionProperties.class)
@Import({
    OidcSessionAutoConfiguration.RedisStoreConfiguration.class,
    OidcSessionAutoConfiguration.RedisMissingConfiguration.class,
    OidcSessionAutoConfiguration.InMemoryStoreConfiguration.class,
    OidcSessionAutoConfiguration.MetricsConfiguration.class,
    OidcSessionAutoConfiguration.Boot4HealthConfiguration.class,
    OidcSessionAutoConfiguration.Boot3HealthConfiguration.class
})
public class OidcSessionAutoConfiguration {

  /**
   * The filter's default order: before Spring Security's filter chain (order -100 in Boot 3 and
   * 4), so Spring Security sees the session's user.
   */
  public static final int DEFAULT_FILTER_ORDER = -105;

  /**
   * The name of the {@link OkHttpClient} bean the filter talks to the provider with; declare a
   * bean of that name to replace the default ({@link OidcClient#defaultHttpClient()}).
   */
  public static final String HTTP_CLIENT_BEAN = "oidcSessionHttpClient";

  /**
   * The name of an optional {@link ScheduledExecutorService} bean that runs renewals; without
   * one the filter owns a small pool. The app shuts its own executor down.
   */
  public static final String EXECUTOR_BEAN = "oidcSessionExecutor";

  /** The interceptor that times refresh-token grants for {@code oidc.session.renewal}. */
  static final String METRICS_INTERCEPTOR_BEAN = "oidcSessionMetricsInterceptor";

  /** Used by Spring; not for applications. */
  public OidcSessionAutoConfiguration() {}

  /** The HTTP client for the provider: the library's default (timeouts, no redirects, no retries). */
  @Bean(name = HTTP_CLIENT_BEAN)
  @ConditionalOnMissingBean(name = HTTP_CLIENT_BEAN)
  public OkHttpClient oidcSessionHttpClient() {
    return OidcClient.defaultHttpClient();
  }

  /** The session policy from {@code oidc.session.policy.*}. */
  @Bean
  @ConditionalOnMissingBean
  public SessionPolicy oidcSessionPolicy(OidcSessionProperties properties) {
    return ConfigMapping.policy(properties.getPolicy());
  }

  /** The filter, configured from the properties and the store and policy beans. */
  @Bean(destroyMethod = "destroy")
  @ConditionalOnMissingBean
  public OidcSessionFilter oidcSessionFilter(OidcSessionProperties properties,
      SessionPolicy policy, SessionStore store, ObjectProvider<Clock> clock,
      ObjectProvider<SessionListener> listeners,
      @Qualifier(HTTP_CLIENT_BEAN) OkHttpClient httpClient,
      @Qualifier(METRICS_INTERCEPTOR_BEAN) ObjectProvider<Interceptor> metricsInterceptor,
      @Qualifier(EXECUTOR_BEAN) ObjectProvider<ScheduledExecutorService> executor) {
    OidcSessionConfig.Builder builder = ConfigMapping.config(properties, policy, store);
    Clock own = clock.getIfUnique();
    if (own != null) {
      builder.clock(own);
    }
    SessionListener listener = listeners.orderedStream()
        .reduce(SessionListener::andThen).orElse(null);
    if (listener != null) {
      builder.listener(listener);
    }
    Interceptor timing = metricsInterceptor.getIfAvailable();
    builder.httpClient(
        timing == null ? httpClient : httpClient.newBuilder().addInterceptor(timing).build());
    ScheduledExecutorService renewals = executor.getIfAvailable();
    if (renewals != null) {
      builder.executor(renewals);
    }
    OidcSessionConfig config = ConfigMapping.build(builder);
    try {
      return new OidcSessionFilter(config);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(
          "oidc.session.* cannot start the filter: " + e.getMessage(), e);
    }
  }

  /**
   * Registers the filter for every path, REQUEST, ASYNC and ERROR dispatches, at {@code
   * oidc.session.filter.order} (default {@value #DEFAULT_FILTER_ORDER}).
   */
  @Bean
  @ConditionalOnMissingBean(name = "oidcSessionFilterRegistration")
  public FilterRegistrationBean<OidcSessionFilter> oidcSessionFilterRegistration(
      OidcSessionFilter filter, OidcSessionProperties properties) {
    FilterRegistrationBean<OidcSessionFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("oidcSessionFilter");
    registration.setOrder(properties.getFilter().getOrder());
    registration.setDispatcherTypes(
        DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    registration.setUrlPatterns(properties.getFilter().getUrlPatterns());
    registration.setAsyncSupported(true);
    return registration;
  }

  /** Matches when {@code oidc.session.redis.url} or {@code REDIS_URL} is set. */
  static final class RedisUrlCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata m) {
      Environment env = context.getEnvironment();
      String url = env.getProperty("oidc.session.redis.url");
      if (url != null && !url.isBlank()) {
        return ConditionOutcome.match("oidc.session.redis.url is set");
      }
      String fromEnv = env.getProperty("REDIS_URL");
      if (fromEnv != null && !fromEnv.isBlank()) {
        return ConditionOutcome.match("REDIS_URL is set");
      }
      return ConditionOutcome.noMatch("neither oidc.session.redis.url nor REDIS_URL is set");
    }
  }

  /** Matches when neither {@code oidc.session.redis.url} nor {@code REDIS_URL} is set. */
  static final class NoRedisUrlCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata m) {
      ConditionOutcome redis = new RedisUrlCondition().getMatchOutcome(context, m);
      return new ConditionOutcome(!redis.isMatch(), redis.getConditionMessage());
    }
  }

  /** The Redis store, when a Redis URL is set and session-redis is on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.oidcsession.redis.RedisSessionStore")
  @Conditional(RedisUrlCondition.class)
  static class RedisStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionStore.class)
    SessionStore oidcSessionRedisStore(
        OidcSessionProperties properties, Environment environment, ApplicationContext context) {
      RedisSupport.requireJedis(context.getClassLoader());
      return RedisSupport.store(
          properties.getRedis(), RedisSupport.url(properties.getRedis(), environment));
    }
  }

  /** A Redis URL is set but session-redis is missing: say so rather than use memory silently. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("dev.oidcsession.redis.RedisSessionStore")
  @Conditional(RedisUrlCondition.class)
  static class RedisMissingConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionStore.class)
    SessionStore oidcSessionStoreWithoutSessionRedis() {
      throw new OidcSessionConfigurationException(
          "oidc.session.redis.url (or REDIS_URL) is set, but session-redis is not on the"
              + " classpath: add the dependency dev.oidcsession:session-redis.");
    }
  }

  /** The default store: in memory, for one server. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(NoRedisUrlCondition.class)
  static class InMemoryStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionStore.class)
    SessionStore oidcSessionInMemoryStore(ObjectProvider<Clock> clock) {
      return new InMemorySessionStore(clock.getIfUnique(Clock::systemUTC));
    }
  }

  /** Micrometer meters, when Micrometer and session-micrometer are on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "io.micrometer.core.instrument.binder.MeterBinder",
      "dev.oidcsession.micrometer.SessionMetrics"})
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    dev.oidcsession.micrometer.SessionMetrics oidcSessionMetrics(SessionStore store) {
      return dev.oidcsession.micrometer.SessionMetrics.builder().store(store).build();
    }

    @Bean(name = METRICS_INTERCEPTOR_BEAN)
    Interceptor oidcSessionMetricsInterceptor(dev.oidcsession.micrometer.SessionMetrics metrics) {
      return metrics.httpInterceptor();
    }
  }

  static StoreHealth.Probe probe(
      SessionStore store, OidcSessionProperties properties, Environment environment) {
    if (store.getClass().getName().equals("dev.oidcsession.redis.RedisSessionStore")) {
      return new RedisSupport.HealthProbe(
          properties.getRedis(), RedisSupport.url(properties.getRedis(), environment));
    }
    return StoreHealth.inMemory(store);
  }

  /** The store's health on Spring Boot 4. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot4HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "oidcSessionStoreHealthIndicator")
    Boot4StoreHealthIndicator oidcSessionStoreHealthIndicator(
        SessionStore store, OidcSessionProperties properties, Environment environment) {
      return new Boot4StoreHealthIndicator(probe(store, properties, environment));
    }
  }

  /** The store's health on Spring Boot 3 (whose health API Boot 4 moved). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot3HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "oidcSessionStoreHealthIndicator")
    Boot3StoreHealthIndicator oidcSessionStoreHealthIndicator(
        SessionStore store, OidcSessionProperties properties, Environment environment) {
      return new Boot3StoreHealthIndicator(probe(store, properties, environment));
    }
  }
}
