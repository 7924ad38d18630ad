package dev.oidcsession.servlet;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.util.Base64;

/**
 * Reads the private key of a {@code private_key_jwt} client (OIDC Core 9, RFC 7523) from a file: a
 * PEM {@code PRIVATE KEY} (PKCS#8, RSA or EC on P-256/384/521, unencrypted) or a JWK (JSON).
 * Messages name the file and never hold key material.
 */
final class ClientKeys {

  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";

  private ClientKeys() {}

  /** Reads and checks a key file; {@code name} is the setting for messages. */
  static JWK read(Path file, String name) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(name + " must be a readable file, but was " + file
          + " (" + e.getClass().getSimpleName() + ")");
    }
    return requirePrivate(parse(content.strip(), name + " " + file), name);
  }

  private static JWK parse(String content, String what) {
    if (content.startsWith("{")) {
      try {
        return JWK.parse(content);
      } catch (ParseException e) {
        throw new IllegalArgumentException(what + " must be a JWK (JSON), but could not be parsed");
      }
    }
    int begin = content.indexOf(PKCS8_BEGIN);
    int end = content.indexOf(PKCS8_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(what + " must be a PEM PRIVATE KEY (PKCS#8, unencrypted;"
          + " convert with openssl pkcs8 -topk8 -nocrypt) or a JWK, but was neither");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(content.substring(begin + PKCS8_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " must hold base64 between its PEM lines, but did not");
    }
    try {
      return fromPkcs8(der);
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalArgumentException(
          what + " must be an RSA or EC (P-256, P-384, P-521) PKCS#8 key, but was not");
    }
  }

  private static JWK fromPkcs8(byte[] der) throws GeneralSecurityException, JOSEException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    try {
      RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(spec);
      RSAPublicKey pub = (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      return new RSAKey.Builder(pub).privateKey(rsa).build();
    } catch (GeneralSecurityException | ClassCastException notRsa) {
      ECPrivateKey ec = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(spec);
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new GeneralSecurityException("unsupported curve");
      }
      ECPoint q = multiply(ec.getParams(), ec.getS());
      java.security.interfaces.ECPublicKey pub = (java.security.interfaces.ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, ec.getParams()));
      return new ECKey.Builder(curve, pub).privateKey(ec).build();
    }
  }

  /**
   * The public point {@code d·G}: a PKCS#8 EC key need not carry its public key (the JDK writes
   * none), and the JWK needs {@code x} and {@code y}. Affine double-and-add over the curve's prime
   * field; runs once, at start-up.
   */
  static ECPoint multiply(ECParameterSpec params, BigInteger d) {
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    BigInteger a = params.getCurve().getA();
    ECPoint result = ECPoint.POINT_INFINITY;
    ECPoint addend = params.getGenerator();
    for (int i = 0; i < d.bitLength(); i++) {
      if (d.testBit(i)) {
        result = add(result, addend, p, a);
      }
      addend = add(addend, addend, p, a);
    }
    return result;
  }

  private static ECPoint add(ECPoint s, ECPoint t, BigInteger p, BigInteger a) {
    if (s.equals(ECPoint.POINT_INFINITY)) {
      return t;
    }
    if (t.equals(ECPoint.POINT_INFINITY)) {
      return s;
    }
    BigInteger lambda;
    if (s.getAffineX().equals(t.getAffineX())) {
      if (s.getAffineY().add(t.getAffineY()).mod(p).signum() == 0) {
        return ECPoint.POINT_INFINITY;
      }
      BigInteger x = s.getAffineX();
      lambda = x.multiply(x).multiply(BigInteger.valueOf(3)).add(a)
          .multiply(s.getAffineY().shiftLeft(1).modInverse(p)).mod(p);
    } else {
      lambda = t.getAffineY().subtract(s.getAffineY())
          .multiply(t.getAffineX().subtract(s.getAffineX()).modInverse(p)).mod(p);
    }
    BigInteger x = lambda.multiply(lambda).subtract(s.getAffineX()).subtract(t.getAffineX()).mod(p);
    BigInteger y = lambda.multiply(s.getAffineX().subtract(x)).subtract(s.getAffineY()).mod(p);
    return new ECPoint(x, y);
  }

  /** The key itself when it is a private RSA key or a private EC key on P-256, P-384 or P-521. */
  static JWK requirePrivate(JWK key, String name) {
    boolean rsa = key instanceof RSAKey r && r.isPrivate();
    boolean ec = key instanceof ECKey e && e.isPrivate()
        && (Curve.P_256.equals(e.getCurve()) || Curve.P_384.equals(e.getCurve())
            || Curve.P_521.equals(e.getCurve()));
    if (!rsa && !ec) {
      throw new IllegalArgumentException(name + " must be a private RSA key or a private EC key on"
          + " P-256, P-384 or P-521, but was a " + (key.isPrivate() ? "private " : "public ")
          + key.getKeyType() + " key" + (key instanceof ECKey e ? " on " + e.getCurve() : ""));
    }
    return key;
  }
}
