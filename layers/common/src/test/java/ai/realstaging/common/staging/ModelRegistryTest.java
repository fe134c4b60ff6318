// unit: the model registry's ids, order, default and selection
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    @Test
    void listsOurIdsInAStableOrderWithTheDefaultFirst() {
        ModelRegistry registry = new ModelRegistry(null);

        assertThat(registry.ids()).containsExactly("qwen-image-edit", "flux-kontext-max", "flux-kontext-pro",
                "seedream-4", "gpt-image-1");
        assertThat(registry.all()).extracting(StagingModel::id).containsExactlyElementsOf(registry.ids());
        assertThat(registry.defaultModel().id()).isEqualTo("qwen-image-edit").isEqualTo(ModelRegistry.DEFAULT_ID);
    }

    @Test
    void looksModelsUpByOurId() {
        ModelRegistry registry = new ModelRegistry(null);

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
    void selectingAnUnknownIdNamesTheKnownOnes() {
        assertThatThrownBy(() -> new ModelRegistry(null).select("flux-kontext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'flux-kontext'")
                .hasMessageContaining("qwen-image-edit, flux-kontext-max, flux-kontext-pro, seedream-4, gpt-image-1");
    }

    @Test
    void gptImage1IsSelectableOnlyWithAKey() {
        assertThatThrownBy(() -> new ModelRegistry(null).select("gpt-image-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAI API key");
        assertThat(new ModelRegistry("sk-x").select("gpt-image-1").selectable()).isTrue();
        assertThat(new ModelRegistry(null).select("seedream-4").id()).isEqualTo("seedream-4");
    }
}
