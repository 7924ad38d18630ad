package dev.oidcsession.benchmarks.boot.ours;

import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A load-run variant: Spring Boot MVC with the {@code session-spring-boot} starter on Redis, the
 * filter and store coming from {@code oidc.session.*} properties and nothing else.
 *
 * <p>{@code GET /bench/json} answers a signed-in user's subject as JSON; {@code GET /bench/stats}
 * (a public path) answers how many JSON answers were served and the process CPU time in
 * nanoseconds. Started by {@code benchmarks/run.sh} with Spring properties as arguments.
 */
@SpringBootApplication
public class BootOidcSessionApp {

  private final LongAdder served = new LongAdder();

  /** Used by Spring. */
  public BootOidcSessionApp() {}

  /** Runs until the process is stopped. */
  public static void main(String[] args) {
    SpringApplication.run(BootOidcSessionApp.class, args);
  }

  /** The measured endpoint and the driver's counters. */
  @RestController
  class Endpoints {

    @GetMapping("/bench/json")
    ResponseEntity<String> json(HttpServletRequest request) {
      served.increment();
      return asJson("{\"sub\":\"" + OidcSessionFilter.session(request).orElseThrow().subject() + "\"}");
    }

    @GetMapping("/bench/stats")
    ResponseEntity<String> stats() {
      long cpu = ((com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
      return asJson("{\"served\":" + served.sum() + ",\"cpuNanos\":" + cpu + "}");
    }

    /** With the content type set, whatever the request accepts (a browser's login lands here). */
    private ResponseEntity<String> asJson(String body) {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
  }
}
