package ai.realstaging.common.staging;

import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * black-forest-labs/flux-kontext-max and -pro: one schema, two price points (PLATFORM.md 1.25–1.26);
 * answers a single URI. Only the published fields are sent: the predecessor's num_outputs and
 * output_quality are not in the schema, and safety_tolerance above 2 is refused with an input image.
 */
public final class FluxKontext implements StagingModel {
    /** Replicate listing $0.08 per image (BFL: 8 credits), PLATFORM.md 1.26. */
    public static final FluxKontext MAX = new FluxKontext("flux-kontext-max", "FLUX.1 Kontext [max]",
            "Black Forest Labs' strongest editing model: the best prompt following and typography, at the highest price.",
            "black-forest-labs/flux-kontext-max", "0.08");
    /** Replicate listing $0.04 per image, PLATFORM.md 1.26. */
    public static final FluxKontext PRO = new FluxKontext("flux-kontext-pro", "FLUX.1 Kontext [pro]",
            "Black Forest Labs' editing model: high-quality, consistent edits at half the price of [max].",
            "black-forest-labs/flux-kontext-pro", "0.04");

    // The model's default is PNG; JPEG keeps listing photos small. 2 is the most permissive
    // safety tolerance the model accepts when an input image is given.
    private static final List<ModelParameter> PARAMETERS = List.of(
            ModelParameter.choice("aspect_ratio", "match_input_image", "match_input_image", "1:1", "16:9", "9:16",
                    "4:3", "3:4", "3:2", "2:3", "4:5", "5:4", "21:9", "9:21", "2:1", "1:2"),
            ModelParameter.choice("output_format", "jpg", "jpg", "png"),
            ModelParameter.integer("safety_tolerance", 2, 0, 2),
            ModelParameter.flag("prompt_upsampling", false));

    private final String id;
    private final String name;
    private final String description;
    private final String replicateModel;
    private final BigDecimal price;

    private FluxKontext(String id, String name, String description, String replicateModel, String price) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.replicateModel = replicateModel;
        this.price = new BigDecimal(price);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String replicateModel() {
        return replicateModel;
    }

    @Override
    public BigDecimal pricePerImageUsd() {
        return price;
    }

    @Override
    public Map<String, Object> input(URI photoUrl, String prompt, Long seed, ModelSettings settings) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("prompt", prompt);
        input.put("input_image", photoUrl.toString());
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
