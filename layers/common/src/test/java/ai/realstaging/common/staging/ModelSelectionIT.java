// integration: real PostgreSQL (DATABASE_URL or embedded); the model a new job runs and its settings
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.ModelConfigRepository;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelSelectionIT {
    private final TestDatabase db = TestDatabase.shared();
    private final SecretBox box = new SecretBox(() -> "model-selection-test-key-material-32+");
    private final ModelRegistry registry = new ModelRegistry();
    private final ModelSelection selection = new ModelSelection(registry, registry.byId("flux-kontext-pro").orElseThrow(), box);

    @BeforeEach
    void clean() {
        db.update("DELETE FROM staging_settings");
        db.update("DELETE FROM model_configs");
    }

    private ModelSelection.Selected forNewJob() {
        return db.withConnection(selection::forNewJob);
    }

    @Test
    void withoutAnAdminsChoiceTheConfiguredDefaultRunsWithItsDefaults() {
        ModelSelection.Selected selected = forNewJob();

        assertThat(selected.model().id()).isEqualTo("flux-kontext-pro");
        assertThat(selected.settings()).isEqualTo(ModelSettings.DEFAULTS);
    }

    @Test
    void theAdminsChoiceAndItsStoredParametersApplyToTheNextJob() {
        ObjectNode parameters = Json.MAPPER.createObjectNode().put("size", "4K");
        db.withConnection(c -> {
            ModelConfigRepository.save(c, "seedream-4", parameters, Map.of(), null);
            ModelConfigRepository.setActiveModel(c, "seedream-4", null);
            return null;
        });

        ModelSelection.Selected selected = forNewJob();

        assertThat(selected.model().id()).isEqualTo("seedream-4");
        assertThat(selected.settings().parameters()).containsExactly(Map.entry("size", "4K"));
    }

    @Test
    void aStoredSecretIsDecryptedForTheInputBuilder() {
        db.withConnection(c -> {
            ModelConfigRepository.save(c, "gpt-image-1", Json.MAPPER.createObjectNode(), Map.of("openai_api_key",
                    box.seal("sk-test-openai-key-0123456789", ModelSelection.context("gpt-image-1", "openai_api_key"))), null);
            ModelConfigRepository.setActiveModel(c, "gpt-image-1", null);
            return null;
        });

        ModelSelection.Selected selected = forNewJob();

        assertThat(selected.model().id()).isEqualTo("gpt-image-1");
        assertThat(selected.model().input(java.net.URI.create("https://x/p.jpg"), "p", null, selected.settings()))
                .containsEntry("openai_api_key", "sk-test-openai-key-0123456789");
    }

    @Test
    void aChosenModelWhoseSecretNoLongerDecryptsFallsBackToTheDefault() {
        SecretBox otherKey = new SecretBox(() -> "a-different-key-material-of-32-chars+");
        db.withConnection(c -> {
            ModelConfigRepository.save(c, "gpt-image-1", Json.MAPPER.createObjectNode(), Map.of("openai_api_key",
                    otherKey.seal("sk-test-openai-key-0123456789", ModelSelection.context("gpt-image-1", "openai_api_key"))), null);
            ModelConfigRepository.setActiveModel(c, "gpt-image-1", null);
            return null;
        });

        assertThat(forNewJob().model().id()).isEqualTo("flux-kontext-pro");
    }

    @Test
    void aStoredValueThatNoLongerFitsTheSchemaGivesWayToTheDefault() {
        db.withConnection(c -> {
            ModelConfigRepository.save(c, "flux-kontext-pro", Json.MAPPER.createObjectNode().put("safety_tolerance", 6)
                    .put("output_format", "png"), Map.of(), null);
            return null;
        });

        assertThat(forNewJob().settings().parameters()).containsExactly(Map.entry("output_format", "png"));
    }

    @Test
    void anUnknownStoredChoiceIsIgnored() {
        db.withConnection(c -> {
            ModelConfigRepository.setActiveModel(c, "retired-model", null);
            return null;
        });

        assertThat(forNewJob().model().id()).isEqualTo("flux-kontext-pro");
    }
}
