package dev.oidcsession.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The store's health on Spring Boot 4 ({@code org.springframework.boot.health}). */
final class Boot4StoreHealthIndicator implements HealthIndicator, AutoCloseable {

  private final StoreHealth.Probe probe;

  Boot4StoreHealthIndicator(StoreHealth.Probe probe) {
    this.probe = probe;
  }

  @Override
  public Health health() {
    StoreHealth.Result r = probe.check();
    return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
  }

  /** Closes the probe's own Redis client, if it made one. */
  @Override
  public void close() {
    probe.close();
  }
}
