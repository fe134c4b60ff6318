// unit: the qwen-image-edit input builder and output parser, against the model's published schema
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QwenImageEditTest {
    private final QwenImageEdit model = new QwenImageEdit();

    @Test
    void inputUsesTheSchemasFieldNamesAndPassesThePhotoAsAUrl() {
        Map<String, Object> input = model.input(URI.create("https://bucket.s3.amazonaws.com/uploads/a.jpg?X-Amz-Signature=x"),
                "Stage this room", 1234L, ModelSettings.DEFAULTS);

        assertThat(input).containsOnlyKeys("image", "prompt", "go_fast", "aspect_ratio", "output_format",
                "output_quality", "seed");
        assertThat(input.get("image")).isEqualTo("https://bucket.s3.amazonaws.com/uploads/a.jpg?X-Amz-Signature=x");
        assertThat(input.get("prompt")).isEqualTo("Stage this room");
        assertThat(input.get("aspect_ratio")).isEqualTo("match_input_image");
        assertThat(input.get("output_format")).isEqualTo("jpg");
        assertThat(input.get("seed")).isEqualTo(1234L);
    }

    @Test
    void anAdminsSettingsReplaceTheDefaultsAndOnlyThem() {
        ModelSettings settings = new ModelSettings(java.util.Map.of("output_quality", 70L, "go_fast", false), java.util.Map.of());

        Map<String, Object> input = model.input(URI.create("https://x/a.jpg"), "p", null, settings);

        assertThat(input).containsEntry("output_quality", 70L).containsEntry("go_fast", false)
                .containsEntry("output_format", "jpg").containsEntry("aspect_ratio", "match_input_image");
    }

    @Test
    void withoutASeedNoneIsSent() {
        assertThat(model.input(URI.create("https://x/a.jpg"), "p", null, ModelSettings.DEFAULTS)).doesNotContainKey("seed");
    }

    @Test
    void theInputSerialisesWithTheExactFieldNames() {
        String json = Json.write(Map.of("input", model.input(URI.create("https://x/a.jpg"), "p", 7L, ModelSettings.DEFAULTS)));

        assertThat(Json.read(json).path("input").fieldNames()).toIterable()
                .contains("go_fast", "aspect_ratio", "output_format", "output_quality");
    }

    @Test
    void outputIsTheFirstUriOfAListOrASingleUri() {
        assertThat(model.output(Json.read("[\"https://replicate.delivery/a/out-0.jpg\", \"https://replicate.delivery/a/out-1.jpg\"]")))
                .contains(URI.create("https://replicate.delivery/a/out-0.jpg"));
        assertThat(model.output(Json.read("\"https://replicate.delivery/b/out.webp\"")))
                .contains(URI.create("https://replicate.delivery/b/out.webp"));
    }

    @Test
    void noOutputIsEmpty() {
        assertThat(model.output(null)).isEmpty();
        assertThat(model.output(Json.read("null"))).isEmpty();
        assertThat(model.output(Json.read("[]"))).isEmpty();
        assertThat(model.output(Json.read("[\"\"]"))).isEmpty();
        assertThat(model.output(Json.read("{\"url\": \"https://x\"}"))).isEmpty();
    }

    @Test
    void identifiesTheOfficialModel() {
        assertThat(model.id()).isEqualTo("qwen-image-edit");
        assertThat(model.replicateModel()).isEqualTo("qwen/qwen-image-edit");
        assertThat(model.pricePerImageUsd()).isPositive();
    }
}
