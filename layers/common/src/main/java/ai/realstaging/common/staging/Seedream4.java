package ai.realstaging.common.staging;

import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bytedance/seedream-4 (PLATFORM.md 1.27): edits the photo given in a list; answers a list of URIs. */
public final class Seedream4 implements StagingModel {
    private static final List<ModelParameter> PARAMETERS = List.of(
            ModelParameter.choice("size", "2K", "1K", "2K", "4K"),
            ModelParameter.choice("aspect_ratio", "match_input_image",
                    "match_input_image", "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9"));

    @Override
    public String id() {
        return "seedream-4";
    }

    @Override
    public String name() {
        return "Seedream 4";
    }

    @Override
    public String description() {
        return "ByteDance's unified generation and editing model: sharp results up to 4K; no seed control.";
    }

    @Override
    public String replicateModel() {
        return "bytedance/seedream-4";
    }

    /**
     * $0.03 per output image: llm-stats.com's listing of Replicate's price, not yet confirmed on
     * replicate.com/bytedance/seedream-4 itself, so treat it as an estimate.
     */
    @Override
    public BigDecimal pricePerImageUsd() {
        return new BigDecimal("0.03");
    }

    /**
     * The schema has no seed field, so a requested seed cannot be passed on and is dropped; nor
     * does it have an output format, the model picks it.
     */
    @Override
    public Map<String, Object> input(URI photoUrl, String prompt, Long seed, ModelSettings settings) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("prompt", prompt);
        input.put("image_input", List.of(photoUrl.toString()));
        StagingModel.putParameters(input, PARAMETERS, settings);
        // One staged photo per request: "disabled" turns off the model's multi-image story mode.
        input.put("max_images", 1);
        input.put("sequential_image_generation", "disabled");
        return input;
    }

    @Override
    public List<ModelParameter> parameters() {
        return PARAMETERS;
    }
}
