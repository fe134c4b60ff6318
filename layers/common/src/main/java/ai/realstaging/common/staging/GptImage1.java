package ai.realstaging.common.staging;

import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * openai/gpt-image-1 (PLATFORM.md 1.28): bring-your-own-key, the customer's OpenAI key (an admin
 * setting, stored encrypted) goes in the input's {@code openai_api_key} and OpenAI bills it;
 * answers a list of URIs. Without a key the model is not selectable.
 */
public final class GptImage1 implements StagingModel {
    public static final String OPENAI_API_KEY = "openai_api_key";

    private static final List<ModelParameter> PARAMETERS = List.of(
            ModelParameter.secret(OPENAI_API_KEY),
            // High fidelity keeps the room's details; staging must not redraw the architecture.
            ModelParameter.choice("input_fidelity", "high", "low", "high"),
            // The model has no "match input"; 3:2 is the schema's closest to a landscape listing photo.
            ModelParameter.choice("aspect_ratio", "3:2", "1:1", "3:2", "2:3"),
            ModelParameter.choice("output_format", "jpeg", "png", "jpeg", "webp"),
            ModelParameter.choice("quality", "high", "low", "medium", "high", "auto"));

    @Override
    public String id() {
        return "gpt-image-1";
    }

    @Override
    public String name() {
        return "GPT Image 1";
    }

    @Override
    public String description() {
        return "OpenAI's image model, run on the customer's own OpenAI API key (OpenAI bills it); slow but faithful.";
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

    /** The seed is dropped: the schema has no seed field. */
    @Override
    public Map<String, Object> input(URI photoUrl, String prompt, Long seed, ModelSettings settings) {
        String key = settings.secret(OPENAI_API_KEY);
        if (key == null) {
            throw new IllegalStateException("gpt-image-1 needs the customer's OpenAI API key and none is configured");
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put(OPENAI_API_KEY, key);
        input.put("prompt", prompt);
        input.put("input_images", List.of(photoUrl.toString()));
        StagingModel.putParameters(input, PARAMETERS, settings);
        input.put("number_of_images", 1);
        return input;
    }

    @Override
    public List<ModelParameter> parameters() {
        return PARAMETERS;
    }
}
