package dev.oidcsession.redis;

import java.io.ByteArrayInputStream;
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
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** TLS for {@code rediss://}: a socket factory from PEM files, with the JDK's own classes. */
final class Tls {

  private static final Pattern KEY_PEM =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private Tls() {}

  /**
   * A socket factory that trusts {@code caPem} (or the JDK's trust store when null), presents
   * {@code certPem}/{@code keyPem} when given, or trusts anything when {@code insecure}.
   */
  static SSLSocketFactory socketFactory(Path caPem, Path certPem, Path keyPem, boolean insecure) {
    try {
      TrustManager[] trust;
      if (insecure) {
        trust = new TrustManager[] {new TrustAll()};
      } else if (caPem != null) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (Certificate cert : certificates(caPem)) {
          store.setCertificateEntry("ca-" + n++, cert);
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        trust = tmf.getTrustManagers();
      } else {
        trust = null; // the JDK's trust store
      }
      KeyManager[] keys = null;
      if (certPem != null) {
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        List<Certificate> chain = new ArrayList<>(certificates(certPem));
        store.setKeyEntry("client", privateKey(keyPem), password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        keys = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("TLS setup for Redis failed: " + e.getMessage(), e);
    }
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

  /** Trusts every server: only behind {@code insecureSkipCertificateVerification()}. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
