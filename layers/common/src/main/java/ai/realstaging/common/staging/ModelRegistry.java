package ai.realstaging.common.staging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The staging models we offer, keyed by our own ids, in a stable order with the default first. */
public final class ModelRegistry {
    public static final String DEFAULT_ID = "qwen-image-edit";

    private final Map<String, StagingModel> models = new LinkedHashMap<>();

    /** {@code openAiApiKey} (may be null) is the customer's key gpt-image-1 runs with. */
    public ModelRegistry(String openAiApiKey) {
        for (StagingModel model : List.of(new QwenImageEdit(), FluxKontext.MAX, FluxKontext.PRO, new Seedream4(),
                new GptImage1(openAiApiKey))) {
            models.put(model.id(), model);
        }
    }

    public Optional<StagingModel> byId(String id) {
        return Optional.ofNullable(id == null ? null : models.get(id));
    }

    public List<StagingModel> all() {
        return List.copyOf(models.values());
    }

    public List<String> ids() {
        return List.copyOf(models.keySet());
    }

    public StagingModel defaultModel() {
        return models.get(DEFAULT_ID);
    }

    /** The model to run for a configured id; an unknown or unusable id is refused with the choices. */
    public StagingModel select(String id) {
        StagingModel model = byId(id).orElseThrow(() -> new IllegalArgumentException(
                "unknown staging model '" + id + "'; known models: " + String.join(", ", ids())));
        if (!model.selectable()) {
            throw new IllegalArgumentException("staging model '" + id + "' cannot be used: it needs a secret "
                    + "that is not configured (gpt-image-1 needs the customer's OpenAI API key)");
        }
        return model;
    }
}
