package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenClaimsVerifier;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import java.time.Duration;

/**
 * nimbus's {@link LogoutTokenValidator} with the configured clock skew (review #19): nimbus builds
 * its claims verifier per call with its own 60 s default and ignores {@code setMaxClockSkew}, so
 * with another configured skew its {@code exp} check and ours disagreed. Signed tokens only (the
 * client configures no decryption), {@code typ} {@code logout+jwt}, {@code JWT} or absent.
 * Thread-safe.
 */
final class SkewedLogoutTokenValidator extends LogoutTokenValidator {

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  SkewedLogoutTokenValidator(Issuer issuer, ClientID clientId,
      JWSKeySelector<SecurityContext> keys, Duration skew) {
    super(issuer, clientId, false, keys, null);
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
        LogoutTokenValidator.TYPE, JOSEObjectType.JWT, null));
    processor.setJWSKeySelector(keys);
    LogoutTokenClaimsVerifier claims = new LogoutTokenClaimsVerifier(issuer, clientId);
    claims.setMaxClockSkew((int) skew.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  @Override
  public LogoutTokenClaimsSet validate(JWT logoutToken) throws BadJOSEException, JOSEException {
    if (logoutToken instanceof PlainJWT) {
      throw new BadJWTException("Unsecured (plain) logout tokens are illegal");
    }
    if (!(logoutToken instanceof SignedJWT signed)) {
      throw new BadJWTException("Encrypted logout tokens are not accepted");
    }
    JWTClaimsSet claims = processor.process(signed, null);
    try {
      return new LogoutTokenClaimsSet(claims);
    } catch (ParseException e) {
      throw new BadJWTException(e.getMessage(), e);
    }
  }
}
