package ai.realstaging.common.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider for tests: an RSA key, its JWKS served over loopback HTTP as Auth0 serves it
 * (counting fetches), and tokens signed with it — or with a key the JWKS does not hold.
 */
public final class TestTokens implements AutoCloseable {
    public static final String ISSUER = "https://auth.realstaging.test/";
    public static final String AUDIENCE = "https://api.realstaging.test";
    public static final String KEY_ID = "test-key-1";

    private final KeyPair key = generate();
    private final KeyPair stranger = generate();
    private final HttpServer server;
    private final AtomicInteger jwksFetches = new AtomicInteger();

    public TestTokens() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/jwks.json", exchange -> {
            jwksFetches.incrementAndGet();
            byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json";
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** A valid token for this subject, an hour long. */
    public String token(String subject) {
        return sign(base(subject).withExpiresAt(Instant.now().plus(Duration.ofHours(1))));
    }

    /** Claims before signing, for tests that make them wrong. */
    public JWTCreator.Builder base(String subject) {
        return JWT.create().withKeyId(KEY_ID).withIssuer(ISSUER).withAudience(AUDIENCE).withSubject(subject)
                .withClaim("email", subject.replaceAll("[^a-z0-9]", "") + "@example.test")
                .withIssuedAt(Instant.now().minusSeconds(5));
    }

    public String sign(JWTCreator.Builder token) {
        return token.sign(Algorithm.RSA256((RSAPublicKey) key.getPublic(), (RSAPrivateKey) key.getPrivate()));
    }

    /** Signed with a key the JWKS does not publish, under the published kid. */
    public String signWithStrangerKey(JWTCreator.Builder token) {
        return token.sign(Algorithm.RSA256((RSAPublicKey) stranger.getPublic(), (RSAPrivateKey) stranger.getPrivate()));
    }

    private String jwks() {
        RSAPublicKey pub = (RSAPublicKey) key.getPublic();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + KEY_ID + "\",\"n\":\""
                + b64.encodeToString(unsigned(pub.getModulus())) + "\",\"e\":\""
                + b64.encodeToString(unsigned(pub.getPublicExponent())) + "\"}]}";
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
