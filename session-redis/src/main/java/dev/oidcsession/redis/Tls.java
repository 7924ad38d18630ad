package dev.oidcsession.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/** TLS for {@code rediss://}: Jedis TLS options from PEM files, with the JDK's own classes. */
final class Tls {

  private static final Pattern KEY_PEM =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  /** Protects nothing (the stores never leave memory); PKCS12 wants some password. */
  private static final char[] STORE_PASSWORD = "oidc-session".toCharArray();

  private Tls() {}

  /**
   * Jedis TLS options that trust {@code caPem} (or the JDK's trust store when null) and check the
   * host name, present {@code certPem}/{@code keyPem} when given, or trust anything when {@code
   * insecure}.
   */
  static SslOptions options(Path caPem, Path certPem, Path keyPem, boolean insecure) {
    try {
      SslOptions.Builder options =
          SslOptions.builder().sslVerifyMode(insecure ? SslVerifyMode.INSECURE : SslVerifyMode.FULL);
      if (caPem != null && !insecure) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (Certificate cert : certificates(caPem)) {
          store.setCertificateEntry("ca-" + n++, cert);
        }
        options.trustStoreType("PKCS12").truststore(resource(store), STORE_PASSWORD.clone());
      }
      if (certPem != null) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        List<Certificate> chain = new ArrayList<>(certificates(certPem));
        store.setKeyEntry(
            "client", privateKey(keyPem), STORE_PASSWORD, chain.toArray(new Certificate[0]));
        options.keyStoreType("PKCS12").keystore(resource(store), STORE_PASSWORD.clone());
      }
      return options.build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("TLS setup for Redis failed: " + e.getMessage(), e);
    }
  }

  /** An in-memory copy of {@code store}, as Jedis reads key and trust stores from a resource. */
  private static SslOptions.Resource resource(KeyStore store)
      throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.store(out, STORE_PASSWORD);
    byte[] bytes = out.toByteArray();
    return () -> new ByteArrayInputStream(bytes);
  }

  static Collection<? extends Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(pem);
    Collection<? extends Certificate> certs =
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + pem);
    }
    return certs;
  }

  /** A PKCS#8 ({@code BEGIN PRIVATE KEY}) RSA or EC key. */
  static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    Matcher m = KEY_PEM.matcher(text);
    if (!m.find()) {
      // Never quote the file: it is a private key.
      throw new GeneralSecurityException(
          "the client key file " + pem + " must hold a PKCS#8 \"BEGIN PRIVATE KEY\" block"
              + " (convert with: openssl pkcs8 -topk8 -nocrypt)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("the client key in " + pem + " is not RSA, EC or Ed25519", last);
  }
}
