package ai.realstaging.common.auth;

import ai.realstaging.common.config.Config;
import com.auth0.jwk.JwkException;
import com.auth0.jwk.JwkProvider;
import com.auth0.jwk.JwkProviderBuilder;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Checks a bearer token where no API Gateway authorizer does (the WebSocket $connect, the local
 * event stream), as the HTTP API's JWT authorizer would: RS256 with a key of the issuer's JWKS
 * named by the token's kid (keys fetched once and cached), issuer, audience, expiry.
 */
public final class TokenVerifier {
    /** Who a valid token names, and until when it is valid. */
    public record Verified(Identity identity, Instant expiresAt) {}

    private final JwkProvider keys;
    private final String issuer;
    private final String audience;
    private final String rolesClaim;
    /** Keys are re-read after this, so a key the issuer rotated out stops being trusted. */
    static final Duration KEY_TTL = Duration.ofHours(10);

    /** A signing key's verifier (building one costs more than verifying) and when its key was fetched. */
    private record Key(JWTVerifier verifier, Instant fetchedAt) {}

    /** The cache of keys: one verifier per kid. */
    private final Map<String, Key> verifiers = new ConcurrentHashMap<>();

    public TokenVerifier(JwkProvider keys, String issuer, String audience, String rolesClaim) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.rolesClaim = rolesClaim;
    }

    /**
     * AUTH_ISSUER and AUTH_AUDIENCE as the HTTP API's authorizer has them; the JWKS from
     * AUTH_JWKS_URL, by default the issuer's {@code .well-known/jwks.json} (Auth0's). Nothing is
     * fetched until the first token arrives.
     */
    public static TokenVerifier fromConfig(Config config) {
        String issuer = config.require("AUTH_ISSUER");
        String jwks = config.get("AUTH_JWKS_URL")
                .orElse((issuer.endsWith("/") ? issuer : issuer + "/") + ".well-known/jwks.json");
        try {
            // The URL form: the String one assumes an https issuer domain. Keys are cached here, per kid
            // (jwks-rsa's own cache needs Guava, 3 MB); the rate limit bounds fetches for unknown kids.
            JwkProvider provider = new JwkProviderBuilder(URI.create(jwks).toURL())
                    .cached(false)
                    .rateLimited(10, 1, TimeUnit.MINUTES)
                    .timeouts(1500, 1500)
                    .build();
            return new TokenVerifier(provider, issuer, config.require("AUTH_AUDIENCE"),
                    config.get("AUTH_ROLES_CLAIM", Identity.DEFAULT_ROLES_CLAIM));
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("AUTH_JWKS_URL (or AUTH_ISSUER) is not a URL", e);
        }
    }

    /** The token's identity, or empty for anything not valid now (the reason is not told). */
    public Optional<Verified> verify(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        try {
            DecodedJWT unverified = JWT.decode(token.trim());
            String kid = unverified.getKeyId();
            if (kid == null || kid.isBlank()) {
                return Optional.empty();
            }
            Key known = verifiers.get(kid);
            if (known == null || known.fetchedAt().plus(KEY_TTL).isBefore(Instant.now())) {
                RSAPublicKey key = (RSAPublicKey) keys.get(kid).getPublicKey();
                known = new Key(JWT.require(Algorithm.RSA256(key, null))
                        .withIssuer(issuer)
                        .withAudience(audience)
                        .withClaimPresence("exp")
                        .withClaimPresence("sub")
                        .build(), Instant.now());
                if (verifiers.size() < 100) verifiers.put(kid, known);
            }
            DecodedJWT jwt = known.verifier().verify(unverified);
            List<String> roles = jwt.getClaim(rolesClaim).asList(String.class);
            Identity identity = new Identity(jwt.getSubject(), jwt.getClaim("email").asString(),
                    roles == null ? java.util.Set.of() : java.util.Set.copyOf(roles));
            return Optional.of(new Verified(identity, jwt.getExpiresAtAsInstant()));
        } catch (JWTVerificationException | JwkException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }
}
