// unit: sealing and opening stored secrets with AES-256-GCM, no services
package ai.realstaging.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private final SecretBox box = new SecretBox(() -> "a-local-key-material-of-at-least-32-chars");

    @Test
    void aSealedValueOpensAgainAndDoesNotShowThePlaintext() {
        String sealed = box.seal("sk-proj-the-customers-key", "model_configs/gpt-image-1/openai_api_key");

        assertThat(sealed).doesNotContain("sk-proj").doesNotContain("customers");
        assertThat(box.open(sealed, "model_configs/gpt-image-1/openai_api_key")).isEqualTo("sk-proj-the-customers-key");
    }

    @Test
    void sealingTwiceGivesDifferentCiphertexts() {
        assertThat(box.seal("same", "ctx")).isNotEqualTo(box.seal("same", "ctx"));
    }

    @Test
    void aValueMovedToAnotherFieldOrOpenedWithAnotherKeyOrTamperedWithIsUnreadable() {
        String sealed = box.seal("sk-proj-the-customers-key", "model_configs/gpt-image-1/openai_api_key");
        byte[] raw = java.util.Base64.getDecoder().decode(sealed);
        raw[raw.length - 1] ^= 1;

        assertThatThrownBy(() -> box.open(sealed, "model_configs/other/openai_api_key")).isInstanceOf(SecretBox.Unreadable.class);
        assertThatThrownBy(() -> new SecretBox(() -> "another-key-material-of-at-least-32-chars!").open(sealed,
                "model_configs/gpt-image-1/openai_api_key")).isInstanceOf(SecretBox.Unreadable.class);
        assertThatThrownBy(() -> box.open(java.util.Base64.getEncoder().encodeToString(raw),
                "model_configs/gpt-image-1/openai_api_key")).isInstanceOf(SecretBox.Unreadable.class);
        assertThatThrownBy(() -> box.open("not base64!", "ctx")).isInstanceOf(SecretBox.Unreadable.class)
                .hasMessageNotContaining("not base64");
    }

    @Test
    void aShortKeyIsRefusedOnFirstUseAndNeverPrinted() {
        SecretBox weak = new SecretBox(() -> "short");

        assertThatThrownBy(() -> weak.seal("x", "ctx")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MODEL_SECRETS_KEY").hasMessageNotContaining("short");
        assertThat(box.toString()).doesNotContain("key-material");
    }
}
