package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.core.oidc.FakeProvider.oauthError;
import static dev.oidcsession.core.oidc.FakeProvider.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oidcsession.core.ExpectsWarnings;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link OidcClient#checkClientCredentials()}: a refresh grant with a made-up token (RFC 6749 §5.2). */
class ClientCredentialsCheckIT extends FakeProviderTestBase {

  private OidcException failure() {
    return catchThrowableOfType(OidcException.class, () -> client.checkClientCredentials());
  }

  @Test
  void invalidGrant_meansAccepted_andTheRequestCarriedTheCredentials() throws Exception {
    provider.stubToken(oauthError(400, "invalid_grant"));

    assertThat(client.checkClientCredentials()).isTrue();

    String basic =
        Base64.getEncoder()
            .encodeToString(
                (FakeProvider.CLIENT_ID + ":" + FakeProvider.CLIENT_SECRET)
                    .getBytes(StandardCharsets.UTF_8));
    provider.server.verify(
        1,
        postRequestedFor(urlPathEqualTo("/token"))
            .withHeader("Authorization", equalTo("Basic " + basic))
            .withRequestBody(containing("grant_type=refresh_token"))
            .withRequestBody(containing("refresh_token=" + Refresh.PROBE_TOKEN)));
  }

  @ExpectsWarnings("the provider refuses the client's credentials on purpose")
  @ParameterizedTest
  @ValueSource(strings = {"invalid_client", "unauthorized_client"})
  void refusedCredentials_areClientMisconfigured(String error) {
    provider.stubToken(oauthError(error.equals("invalid_client") ? 401 : 400, error));

    OidcException e = failure();

    assertThat(e.reason()).isEqualTo(OidcException.Reason.CLIENT_MISCONFIGURED);
    assertThat(e.errorCode()).contains(error);
    assertThat(e)
        .hasMessage(
            "client credentials must be accepted by the token endpoint, but were refused: " + error);
    assertThat(e.getMessage()).doesNotContain(FakeProvider.CLIENT_SECRET);
  }

  @Test
  void anotherErrorCode_doesNotTell() throws Exception {
    provider.stubToken(oauthError(400, "unsupported_grant_type"));

    assertThat(client.checkClientCredentials()).isFalse();
  }

  @Test
  void unavailableTokenEndpoint_isProviderUnavailable() {
    provider.stubToken(aResponse().withStatus(503));

    assertThat(failure().reason()).isEqualTo(OidcException.Reason.PROVIDER_UNAVAILABLE);
  }

  @Test
  void tokensForTheMadeUpToken_areAnInvalidResponse() {
    provider.stubToken(tokens(null, "at", null));

    assertThat(failure().reason()).isEqualTo(OidcException.Reason.INVALID_RESPONSE);
  }

  @Test
  void noTokenEndpoint_isClientMisconfigured() {
    provider.stubDiscovery(m -> m.remove("token_endpoint"));

    OidcException e = failure();

    assertThat(e.reason()).isEqualTo(OidcException.Reason.CLIENT_MISCONFIGURED);
    assertThat(e).hasMessage("provider must have a token_endpoint, but has none");
  }
}
