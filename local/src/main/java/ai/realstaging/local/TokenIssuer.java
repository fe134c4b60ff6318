package ai.realstaging.local;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The local stand-in for Auth0: one RS256 key kept on this machine (so a token minted now is
 * accepted by any local stack started later, on any port), token minting, and its JWKS.
 */
public final class TokenIssuer {
    public static final String ISSUER = "https://auth.realstaging.local/";
    public static final String AUDIENCE = "https://api.realstaging.ai";
    public static final String ROLES_CLAIM = "https://realstaging.ai/roles";

    private final RSAPublicKey publicKey;
    private final RSAPrivateCrtKey privateKey;
    private final String keyId;

    private TokenIssuer(RSAPublicKey publicKey, RSAPrivateCrtKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.keyId = HexFormat.of().formatHex(publicKey.getModulus().toByteArray(), 1, 9);
    }

    /** Loads the machine's key from {@code home}/issuer-key.pk8, creating it (mode 600) on first use. */
    public static synchronized TokenIssuer load(Path home) {
        try {
            Path file = home.resolve("issuer-key.pk8");
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            if (!Files.exists(file)) {
                Files.createDirectories(home);
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                Path tmp = Files.createTempFile(home, "issuer-key", ".tmp");
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
                // Two stacks starting at once must end with one key: a hard link fails when the
                // file exists (a rename would replace it), so the first writer wins.
                try {
                    Files.createLink(file, tmp);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process made the key first; use theirs
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            byte[] encoded = Base64.getDecoder().decode(Files.readString(file).trim());
            RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(encoded));
            RSAPublicKey publicKey = (RSAPublicKey) rsa.generatePublic(
                    new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            return new TokenIssuer(publicKey, privateKey);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load or create the local issuer key in " + home + ": " + e.getMessage(), e);
        }
    }

    public static Path defaultHome() {
        String home = System.getenv("REALSTAGING_HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".realstaging");
    }

    /** A bearer token for a local user; {@code name} becomes sub "local|name". */
    public String mint(String name, boolean admin, Duration ttl) {
        Instant now = Instant.now();
        return JWT.create()
                .withKeyId(keyId)
                .withIssuer(ISSUER)
                .withAudience(AUDIENCE)
                .withSubject("local|" + name)
                .withClaim("email", name + "@example.test")
                .withClaim(ROLES_CLAIM, admin ? List.of("admin") : List.of())
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .sign(Algorithm.RSA256(publicKey, privateKey));
    }

    /** Mints with explicit claims, for tests of the authorizer (wrong issuer, expired, ...). */
    public String mint(String issuer, String audience, String subject, Instant expiresAt) {
        return JWT.create().withKeyId(keyId).withIssuer(issuer).withAudience(audience).withSubject(subject)
                .withIssuedAt(Instant.now().minusSeconds(60)).withExpiresAt(expiresAt)
                .sign(Algorithm.RSA256(publicKey, privateKey));
    }

    /** Signs whatever the builder holds with this issuer's key, without adding a kid: for authorizer tests. */
    String signAsIs(com.auth0.jwt.JWTCreator.Builder token) {
        return token.sign(Algorithm.RSA256(publicKey, privateKey));
    }

    String keyId() {
        return keyId;
    }

    public Map<String, Object> jwks() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return Map.of("keys", List.of(Map.of(
                "kty", "RSA", "use", "sig", "alg", "RS256", "kid", keyId,
                "n", b64.encodeToString(unsigned(publicKey.getModulus())),
                "e", b64.encodeToString(unsigned(publicKey.getPublicExponent())))));
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
