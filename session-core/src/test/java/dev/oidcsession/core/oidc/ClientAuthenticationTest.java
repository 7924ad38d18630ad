package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.oidcsession.core.TokenSecret;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The sealed {@link ClientAuthentication}: one nimbus authentication per method, no secret printed. */
class ClientAuthenticationTest {

  static final ClientID CLIENT = new ClientID("client-1");
  static final URI TOKEN = URI.create("https://op.example/token");

  @Test
  void eachMethod_buildsItsNimbusAuthentication() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();

    assertThat(new ClientAuthentication.SecretBasic(TokenSecret.of("s3cret")).forRequest(CLIENT, TOKEN))
        .isInstanceOf(ClientSecretBasic.class);
    assertThat(new ClientAuthentication.SecretPost(TokenSecret.of("s3cret")).forRequest(CLIENT, TOKEN))
        .isInstanceOf(ClientSecretPost.class);
    assertThat(ClientAuthentication.PrivateKeyJwt.of(key).forRequest(CLIENT, TOKEN))
        .isInstanceOf(PrivateKeyJWT.class);
    assertThat(new ClientAuthentication.None().forRequest(CLIENT, TOKEN)).isNull();
  }

  @Test
  void toString_namesTheMethod_neverTheSecretOrKey() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();

    assertThat(new ClientAuthentication.SecretBasic(TokenSecret.of("s3cret")))
        .hasToString("client_secret_basic");
    assertThat(new ClientAuthentication.SecretPost(TokenSecret.of("s3cret")))
        .hasToString("client_secret_post");
    assertThat(ClientAuthentication.PrivateKeyJwt.of(key)).hasToString("private_key_jwt(kid=k1)");
    assertThat(new ClientAuthentication.None()).hasToString("none");
  }

  @Test
  void privateKeyJwt_ofP384Key_signsEs384() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();

    assertThat(ClientAuthentication.PrivateKeyJwt.of(key).algorithm()).isEqualTo(JWSAlgorithm.ES384);
  }
}
