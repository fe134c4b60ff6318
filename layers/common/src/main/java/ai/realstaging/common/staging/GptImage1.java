package ai.realstaging.common.staging;

import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * openai/gpt-image-1 (PLATFORM.md 1.28): bring-your-own-key, the customer's OpenAI key goes in the
 * input and OpenAI bills it; answers a list of URIs. Without a key the model is not selectable.
 */
public final class GptImage1 implements StagingModel {
    private final String openAiApiKey;

    /** {@code openAiApiKey} may be null or blank: the model then refuses to build an input. */
    public GptImage1(String openAiApiKey) {
        this.openAiApiKey = openAiApiKey == null || openAiApiKey.isBlank() ? null : openAiApiKey;
    }

    @Override
    public String id() {
        return "gpt-image-1";
    }

    @Override
    public String replicateModel() {
        return "openai/gpt-image-1";
    }

    /** Zero on our side: OpenAI bills the customer's own key. */
    @Override
    public BigDecimal pricePerImageUsd() {
        return BigDecimal.ZERO;
    }

    @Override
    public boolean selectable() {
        return openAiApiKey != null;
    }

    /** The seed is dropped: the schema has no seed field. */
    @Override
    public Map<String, Object> input(URI photoUrl, String prompt, Long seed) {
        if (openAiApiKey == null) {
            throw new IllegalStateException("gpt-image-1 needs the customer's OpenAI API key and none is configured");
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("openai_api_key", openAiApiKey);
        input.put("prompt", prompt);
        input.put("input_images", List.of(photoUrl.toString()));
        // High fidelity keeps the room's details; staging must not redraw the architecture.
        input.put("input_fidelity", "high");
        // The model has no "match input"; 3:2 is the schema's closest to a landscape listing photo.
        input.put("aspect_ratio", "3:2");
        input.put("number_of_images", 1);
        input.put("output_format", "jpeg");
        input.put("quality", "high");
        return input;
    }

    @Override
    public List<ModelParameter> parameters() {
        return List.of(
                ModelParameter.choice("input_fidelity", "high", "low", "high"),
                ModelParameter.choice("aspect_ratio", "3:2", "1:1", "3:2", "2:3"),
                ModelParameter.choice("output_format", "jpeg", "png", "jpeg", "webp"),
                ModelParameter.choice("quality", "high", "low", "medium", "high", "auto"));
    }

    @Override
    public String toString() {
        // Never print the key.
        return "GptImage1[key " + (openAiApiKey == null ? "missing" : "set") + "]";
    }
}
