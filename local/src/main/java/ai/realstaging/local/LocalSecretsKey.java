package ai.realstaging.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The local stand-in for the generated Secrets Manager secret that seals admin-stored model secrets
 * (MODEL_SECRETS_KEY): made once per machine in {@code home}/model-secrets.key (mode 600), so a key
 * stored through one local stack still opens in the next one against the same database.
 */
final class LocalSecretsKey {
    private LocalSecretsKey() {}

    static synchronized String load(Path home) {
        Path file = home.resolve("model-secrets.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(home);
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                Path tmp = Files.createTempFile(home, "model-secrets", ".tmp");
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
                // First writer wins, as for the issuer key: a hard link fails when the file exists.
                try {
                    Files.createLink(file, tmp);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another stack made it first; use theirs
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot load or create the local model secrets key in " + home + ": "
                    + e.getMessage(), e);
        }
    }
}
