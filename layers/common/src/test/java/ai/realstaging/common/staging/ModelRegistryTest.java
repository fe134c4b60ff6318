// unit: the model registry's ids, order, default and selection
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    @Test
    void listsOurIdsInAStableOrderWithTheDefaultFirst() {
        ModelRegistry registry = new ModelRegistry();

        assertThat(registry.ids()).containsExactly("qwen-image-edit", "flux-kontext-max", "flux-kontext-pro",
                "seedream-4", "gpt-image-1");
        assertThat(registry.all()).extracting(StagingModel::id).containsExactlyElementsOf(registry.ids());
        assertThat(registry.defaultModel().id()).isEqualTo("qwen-image-edit").isEqualTo(ModelRegistry.DEFAULT_ID);
    }

    @Test
    void looksModelsUpByOurId() {
        ModelRegistry registry = new ModelRegistry();

        assertThat(registry.byId("flux-kontext-pro")).get().extracting(StagingModel::replicateModel)
                .isEqualTo("black-forest-labs/flux-kontext-pro");
        assertThat(registry.byId("seedream-4")).get().extracting(StagingModel::replicateModel)
                .isEqualTo("bytedance/seedream-4");
        assertThat(registry.byId("gpt-image-1")).get().extracting(StagingModel::replicateModel)
                .isEqualTo("openai/gpt-image-1");
        assertThat(registry.byId("black-forest-labs/flux-kontext-pro")).isEmpty();
        assertThat(registry.byId("nope")).isEmpty();
        assertThat(registry.byId(null)).isEmpty();
    }

    @Test
    void anUnknownConfiguredDefaultNamesTheKnownOnes() {
        assertThatThrownBy(() -> new ModelRegistry().configuredDefault("flux-kontext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'flux-kontext'")
                .hasMessageContaining("qwen-image-edit, flux-kontext-max, flux-kontext-pro, seedream-4, gpt-image-1");
    }

    @Test
    void gptImage1CannotBeTheConfiguredDefaultSinceOnlyAnAdminCanSetItsKey() {
        assertThatThrownBy(() -> new ModelRegistry().configuredDefault("gpt-image-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAI API key");
        assertThat(new ModelRegistry().configuredDefault("seedream-4").id()).isEqualTo("seedream-4");
    }

    @Test
    void gptImage1IsSelectableOnlyWithItsKeySet() {
        StagingModel gpt = new ModelRegistry().byId("gpt-image-1").orElseThrow();

        assertThat(gpt.selectable(ModelSettings.DEFAULTS)).isFalse();
        assertThat(gpt.selectable(new ModelSettings(java.util.Map.of(), java.util.Map.of("openai_api_key", "sk-x")))).isTrue();
        assertThat(new ModelRegistry().all()).filteredOn(m -> !m.id().equals("gpt-image-1"))
                .allMatch(m -> m.selectable(ModelSettings.DEFAULTS));
    }

    @Test
    void everyModelHasANameAndADescriptionForTheAdmin() {
        for (StagingModel model : new ModelRegistry().all()) {
            assertThat(model.name()).as(model.id()).isNotBlank();
            assertThat(model.description()).as(model.id()).isNotBlank().endsWith(".");
        }
    }
}
