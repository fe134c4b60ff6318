package ai.realstaging.common.staging;

import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** qwen/qwen-image-edit: the default model, fast and cheap; answers a list of URIs. */
public final class QwenImageEdit implements StagingModel {
    // JPEG keeps listing photos small and is what MLS portals take; the model's default is WebP.
    private static final List<ModelParameter> PARAMETERS = List.of(
            ModelParameter.flag("go_fast", true),
            ModelParameter.choice("aspect_ratio", "match_input_image",
                    "match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"),
            ModelParameter.choice("output_format", "jpg", "webp", "png", "jpg"),
            ModelParameter.integer("output_quality", 90, 0, 100));

    @Override
    public String id() {
        return "qwen-image-edit";
    }

    @Override
    public String name() {
        return "Qwen Image Edit";
    }

    @Override
    public String description() {
        return "Fast and inexpensive image editing that follows instructions closely; the default.";
    }

    @Override
    public String replicateModel() {
        return "qwen/qwen-image-edit";
    }

    /** Replicate's listing price per output image (PLATFORM.md 1.24); for cost tracking only. */
    @Override
    public BigDecimal pricePerImageUsd() {
        return new BigDecimal("0.03");
    }

    @Override
    public Map<String, Object> input(URI photoUrl, String prompt, Long seed, ModelSettings settings) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("image", photoUrl.toString());
        input.put("prompt", prompt);
        StagingModel.putParameters(input, PARAMETERS, settings);
        if (seed != null) {
            input.put("seed", seed);
        }
        return input;
    }

    @Override
    public List<ModelParameter> parameters() {
        return PARAMETERS;
    }
}
