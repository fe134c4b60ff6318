// unit: every registered model's input builder, output parser and parameter schema, against the published schemas
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.http.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StagingModelsTest {
    private static final URI PHOTO = URI.create("https://bucket.s3.amazonaws.com/uploads/a.jpg?X-Amz-Signature=x");
    private static final ModelSettings KEYED = new ModelSettings(Map.of(), Map.of("openai_api_key", "sk-customer"));
    private final ModelRegistry registry = new ModelRegistry();

    @Test
    void fluxKontextSendsOnlyPublishedFieldsWithTheStrictestAllowedTolerance() {
        for (StagingModel flux : List.of(FluxKontext.MAX, FluxKontext.PRO)) {
            Map<String, Object> input = flux.input(PHOTO, "Stage this room", 42L, ModelSettings.DEFAULTS);

            assertThat(input).containsOnlyKeys("prompt", "input_image", "aspect_ratio", "output_format",
                    "safety_tolerance", "prompt_upsampling", "seed");
            assertThat(input).containsEntry("prompt", "Stage this room")
                    .containsEntry("input_image", PHOTO.toString())
                    .containsEntry("aspect_ratio", "match_input_image")
                    .containsEntry("output_format", "jpg")
                    .containsEntry("safety_tolerance", 2L).containsEntry("prompt_upsampling", false)
                    .containsEntry("seed", 42L);
            assertThat(flux.input(PHOTO, "p", null, ModelSettings.DEFAULTS)).doesNotContainKey("seed");
        }
        assertThat(FluxKontext.MAX.replicateModel()).isEqualTo("black-forest-labs/flux-kontext-max");
        assertThat(FluxKontext.PRO.replicateModel()).isEqualTo("black-forest-labs/flux-kontext-pro");
    }

    @Test
    void seedreamPassesThePhotoInAListAndHasNoSeed() {
        Map<String, Object> input = new Seedream4().input(PHOTO, "Stage this room", 42L, ModelSettings.DEFAULTS);

        assertThat(input).containsOnlyKeys("prompt", "image_input", "size", "aspect_ratio", "max_images",
                "sequential_image_generation");
        assertThat(input).containsEntry("image_input", List.of(PHOTO.toString()))
                .containsEntry("size", "2K")
                .containsEntry("aspect_ratio", "match_input_image")
                .containsEntry("max_images", 1)
                .containsEntry("sequential_image_generation", "disabled");
    }

    @Test
    void gptImage1SendsTheCustomersKeyAndALandscapeRatio() {
        Map<String, Object> input = new GptImage1().input(PHOTO, "Stage this room", 42L, KEYED);

        assertThat(input).containsOnlyKeys("openai_api_key", "prompt", "input_images", "input_fidelity",
                "aspect_ratio", "number_of_images", "output_format", "quality");
        assertThat(input).containsEntry("openai_api_key", "sk-customer")
                .containsEntry("input_images", List.of(PHOTO.toString()))
                .containsEntry("input_fidelity", "high")
                .containsEntry("aspect_ratio", "3:2")
                .containsEntry("number_of_images", 1)
                .containsEntry("output_format", "jpeg")
                .containsEntry("quality", "high");
    }

    @Test
    void gptImage1WithoutAKeyRefusesClearlyAndTheSettingsKeepTheKeyOutOfToString() {
        GptImage1 model = new GptImage1();
        assertThat(model.selectable(ModelSettings.DEFAULTS)).isFalse();
        assertThatThrownBy(() -> model.input(PHOTO, "p", null, ModelSettings.DEFAULTS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("OpenAI API key");
        assertThat(model.selectable(KEYED)).isTrue();
        assertThat(KEYED.toString()).doesNotContain("sk-customer").contains("openai_api_key");
    }

    @Test
    void everyModelsInputSerialisesWithItsPromptAndPhoto() {
        for (StagingModel model : registry.all()) {
            String json = Json.write(Map.of("input", model.input(PHOTO, "Stage this room", 7L, KEYED)));

            assertThat(json).as(model.id()).contains("Stage this room").contains("uploads/a.jpg");
        }
    }

    @Test
    void declaredParameterDefaultsAreTheValuesSentAndWithinTheirBounds() {
        for (StagingModel model : registry.all()) {
            Map<String, Object> input = model.input(PHOTO, "p", null, KEYED);
            assertThat(model.parameters()).as(model.id()).isNotEmpty();
            for (ModelParameter p : model.parameters()) {
                if (p.secret()) {
                    assertThat(p.defaultValue()).as(p.name()).isNull();
                    continue;
                }
                String where = model.id() + "." + p.name();
                if (input.containsKey(p.name())) {
                    assertThat(((Object) input.get(p.name())).toString()).as(where).isEqualTo(p.defaultValue().toString());
                }
                if (p.allowed() != null) assertThat(p.allowed()).as(where).contains((String) p.defaultValue());
                if (p.min() != null) assertThat((Long) p.defaultValue()).as(where).isBetween(p.min(), p.max());
            }
        }
    }

    @Test
    void outputsAreReadAsASingleUriOrTheFirstOfAList() {
        assertThat(FluxKontext.MAX.output(Json.read("\"https://replicate.delivery/x/out.jpg\"")))
                .contains(URI.create("https://replicate.delivery/x/out.jpg"));
        assertThat(new Seedream4().output(Json.read("[\"https://replicate.delivery/y/0.jpg\"]")))
                .contains(URI.create("https://replicate.delivery/y/0.jpg"));
        assertThat(new GptImage1().output(Json.read("[\"https://replicate.delivery/z/0.jpeg\", \"https://replicate.delivery/z/1.jpeg\"]")))
                .contains(URI.create("https://replicate.delivery/z/0.jpeg"));
        assertThat(new Seedream4().output(Json.read("[]"))).isEmpty();
    }

    @Test
    void pricesPerImage() {
        assertThat(registry.byId("qwen-image-edit").orElseThrow().pricePerImageUsd()).isEqualByComparingTo("0.03");
        assertThat(FluxKontext.MAX.pricePerImageUsd()).isEqualByComparingTo("0.08");
        assertThat(FluxKontext.PRO.pricePerImageUsd()).isEqualByComparingTo("0.04");
        assertThat(new Seedream4().pricePerImageUsd()).isEqualByComparingTo("0.03");
        assertThat(new GptImage1().pricePerImageUsd()).isEqualByComparingTo(BigDecimal.ZERO);
    }
}
