// unit: the token check of $connect and the local event stream, against a JWKS served over loopback HTTP (TestTokens)
package ai.realstaging.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.testing.TestTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
    private final TestTokens tokens = new TestTokens();
    private final TokenVerifier verifier = TokenVerifier.fromConfig(Config.of(Map.of(
            "AUTH_ISSUER", TestTokens.ISSUER, "AUTH_AUDIENCE", TestTokens.AUDIENCE, "AUTH_JWKS_URL", tokens.jwksUrl())));

    @AfterEach
    void stop() {
        tokens.close();
    }

    @Test
    void aValidTokenNamesItsSubjectEmailRolesAndExpiry() {
        Instant expires = Instant.now().plusSeconds(600);
        String token = tokens.sign(tokens.base("auth0|alice").withExpiresAt(expires)
                .withClaim(Identity.DEFAULT_ROLES_CLAIM, List.of("admin")));

        TokenVerifier.Verified verified = verifier.verify(token).orElseThrow();

        assertThat(verified.identity().subject()).isEqualTo("auth0|alice");
        assertThat(verified.identity().email()).isEqualTo("auth0alice@example.test");
        assertThat(verified.identity().isAdmin()).isTrue();
        assertThat(verified.expiresAt()).isEqualTo(expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void expiredWrongIssuerWrongAudienceUnknownKeyNoKidNoExpiryAndGarbageAreRefused() {
        Instant later = Instant.now().plusSeconds(600);
        List<String> bad = List.of(
                tokens.sign(tokens.base("u").withExpiresAt(Instant.now().minusSeconds(120))),
                tokens.sign(tokens.base("u").withExpiresAt(later).withIssuer("https://evil.example/")),
                tokens.sign(tokens.base("u").withExpiresAt(later).withAudience("https://other.api")),
                tokens.signWithStrangerKey(tokens.base("u").withExpiresAt(later)),
                tokens.sign(tokens.base("u").withExpiresAt(later).withKeyId("unknown-kid")),
                tokens.sign(com.auth0.jwt.JWT.create().withIssuer(TestTokens.ISSUER).withAudience(TestTokens.AUDIENCE)
                        .withSubject("u").withExpiresAt(later)),
                tokens.sign(tokens.base("u")),
                "not-a-jwt", "");

        for (String token : bad) {
            assertThat(verifier.verify(token)).as(token).isEmpty();
        }
        assertThat(verifier.verify(null)).isEmpty();
        String good = tokens.token("u");
        String tampered = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(verifier.verify(tampered)).isEmpty();
        assertThat(verifier.verify(good)).isPresent();
    }

    @Test
    void theJwksIsFetchedOnceForManyTokens() {
        for (int i = 0; i < 20; i++) {
            assertThat(verifier.verify(tokens.token("user-" + i))).isPresent();
        }

        assertThat(tokens.jwksFetches()).isEqualTo(1);
    }
}
