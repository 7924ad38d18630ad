package dev.oidcsession.spring;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The store's health on Spring Boot 3 ({@code org.springframework.boot.actuate.health}). */
final class Boot3StoreHealthIndicator implements HealthIndicator, AutoCloseable {

  private final StoreHealth.Probe probe;

  Boot3StoreHealthIndicator(StoreHealth.Probe probe) {
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
