package dev.oidcsession.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and certificates it signed, made with the JDK's {@code keytool} and written as PEM
 * files: {@code ca.pem}, and per name {@code <name>.crt} and {@code <name>.key} (PKCS#8).
 */
final class TestCertificates {

  private static final String PASSWORD = "changeit";

  final Path dir;
  final Path ca;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.ca = dir.resolve("ca.pem");
  }

  /** A new CA in {@code dir}, named {@code cn}. */
  static TestCertificates newCa(Path dir, String cn) {
    TestCertificates certs = new TestCertificates(dir);
    certs.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + cn, "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
    certs.keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", "ca.p12", "-file", "ca.pem");
    return certs;
  }

  /** Issues {@code <name>.crt} and {@code <name>.key} for the given subject alternative names. */
  void issue(String name, String san) {
    String store = name + ".p12";
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-validity", "2", "-keystore", store);
    keytool("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
    List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore",
        "ca.p12", "-infile", name + ".csr", "-outfile", name + ".crt", "-rfc", "-validity", "2"));
    if (san != null) {
      gencert.addAll(List.of("-ext", "SAN=" + san));
    }
    keytool(gencert.toArray(new String[0]));
    try (InputStream in = Files.newInputStream(dir.resolve(store))) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD.toCharArray());
      Key key = keys.getKey(name, PASSWORD.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(dir.resolve(name + ".key"), pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  Path cert(String name) {
    return dir.resolve(name + ".crt");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
    try {
      Process process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool failed: " + String.join(" ", args) + "\n" + new String(output));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
