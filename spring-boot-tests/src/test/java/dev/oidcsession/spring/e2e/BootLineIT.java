package dev.oidcsession.spring.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/**
 * This module runs the Boot line it claims, with the reactor's Jedis, OkHttp and nimbus rather
 * than the versions Boot's dependency management would pick (Jedis 7.0.0 / 6.0.0).
 */
class BootLineIT {

  static String mavenVersion(String group, String artifact) throws IOException {
    try (InputStream in = BootLineIT.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      assertThat(in).as("pom.properties of %s:%s", group, artifact).isNotNull();
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  @Test
  void springBoot_isThisModulesLine() {
    assertThat(SpringBootVersion.getVersion())
        .isEqualTo(System.getProperty("expected.spring-boot.version"));
  }

  @Test
  void jedisOkHttpNimbus_areTheReactorsVersions() throws IOException {
    assertThat(mavenVersion("redis.clients", "jedis"))
        .isEqualTo(System.getProperty("expected.jedis.version"));
    assertThat(okhttp3.OkHttp.VERSION).isEqualTo(System.getProperty("expected.okhttp.version"));
    assertThat(mavenVersion("com.nimbusds", "nimbus-jose-jwt"))
        .isEqualTo(System.getProperty("expected.nimbus.version"));
  }
}
