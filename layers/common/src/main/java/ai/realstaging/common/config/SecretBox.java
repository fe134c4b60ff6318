package ai.realstaging.common.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets an admin stores in the database (a customer's API key) with AES-256-GCM, so a
 * database dump or a log of a row never shows them. The key is derived (SHA-256) from a secret
 * string: MODEL_SECRETS_KEY locally, MODEL_SECRETS_KEY_SECRET_ARN (a generated Secrets Manager
 * secret) in AWS, read on first use. Each value is bound to where it belongs (the AAD), so a
 * ciphertext copied to another model or field does not decrypt.
 */
public final class SecretBox {
    public static final String SETTING = "MODEL_SECRETS_KEY";
    private static final byte VERSION = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Lazy<SecretKeySpec> key;

    public SecretBox(Supplier<String> keyMaterial) {
        this.key = Lazy.of(() -> {
            String material = keyMaterial.get();
            if (material == null || material.length() < 32) {
                throw new IllegalStateException(SETTING + " must be at least 32 characters");
            }
            return new SecretKeySpec(sha256(material), "AES");
        });
    }

    public static SecretBox fromConfig(Config config, AwsClients aws) {
        return new SecretBox(Secret.of(config, SETTING, aws));
    }

    /** Base64 of version, IV and ciphertext with its tag; {@code context} names where the value belongs. */
    public String seal(String plaintext, String context) {
        try {
            byte[] iv = new byte[IV_BYTES];
            // Made per call, never during INIT: a SnapStart snapshot must not share random state.
            new SecureRandom().nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(1 + IV_BYTES + sealed.length)
                    .put(VERSION).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt: " + e.getClass().getSimpleName(), e);
        }
    }

    /** The plaintext; throws {@link Unreadable} for a value sealed with another key or for another context. */
    public String open(String sealed, String context) {
        try {
            byte[] bytes = Base64.getDecoder().decode(sealed);
            if (bytes.length < 1 + IV_BYTES + TAG_BITS / 8 || bytes[0] != VERSION) {
                throw new Unreadable();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, bytes, 1, IV_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(bytes, 1 + IV_BYTES, bytes.length - 1 - IV_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Unreadable();
        }
    }

    /** A stored secret that cannot be decrypted: the key changed, or the value was tampered with. */
    public static final class Unreadable extends RuntimeException {
        Unreadable() {
            super("a stored secret cannot be decrypted with the configured " + SETTING);
        }
    }

    private static byte[] sha256(String material) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[key hidden]";
    }
}
