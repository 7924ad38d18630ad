package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.util.List;
import java.util.Set;

/**
 * nimbus's {@link JWSVerificationKeySelector} (only the allowed algorithms, only keys whose type and
 * {@code alg}/{@code use} fit) with one rule added: a JWS without {@code kid} is verified only when
 * exactly one provider key fits. With several candidates the token is ambiguous and rejected
 * rather than tried against each key (OpenID RP certification {@code
 * rp-id_token-kid-absent-multiple-jwks}). Thread-safe. Not API.
 */
final class KidStrictKeySelector extends JWSVerificationKeySelector<SecurityContext> {

  /** Selects keys for {@code algorithms} from {@code source}. */
  public KidStrictKeySelector(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> source) {
    super(algorithms, source);
  }

  @Override
  public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context)
      throws KeySourceException {
    List<Key> keys = super.selectJWSKeys(header, context);
    if (header.getKeyID() == null && keys.size() > 1) {
      throw new AmbiguousKeyException(keys.size());
    }
    return keys;
  }

  /** A JWS without {@code kid} while several provider keys fit its algorithm. */
  public static final class AmbiguousKeyException extends KeySourceException {
    private static final long serialVersionUID = 1L;

    AmbiguousKeyException(int candidates) {
      super(
          "token must name its key (kid) when the provider publishes several keys for its"
              + " algorithm, but had no kid and "
              + candidates
              + " keys fit");
    }
  }
}
