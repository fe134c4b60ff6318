package ai.realstaging.common.staging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The staging models we offer, keyed by our own ids, in a stable order with the default first. */
public final class ModelRegistry {
    public static final String DEFAULT_ID = "qwen-image-edit";

    private final Map<String, StagingModel> models = new LinkedHashMap<>();

    public ModelRegistry() {
        for (StagingModel model : List.of(new QwenImageEdit(), FluxKontext.MAX, FluxKontext.PRO, new Seedream4(),
                new GptImage1())) {
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

    /**
     * The fallback model named by configuration (STAGING_MODEL), used while no admin has chosen one.
     * An unknown id, or one that cannot run without admin settings, is refused with the choices.
     */
    public StagingModel configuredDefault(String id) {
        StagingModel model = byId(id).orElseThrow(() -> new IllegalArgumentException(
                "unknown staging model '" + id + "'; known models: " + String.join(", ", ids())));
        if (!model.selectable(ModelSettings.DEFAULTS)) {
            throw new IllegalArgumentException("staging model '" + id + "' cannot be the configured default: it needs "
                    + "a secret only an admin can set (gpt-image-1 needs the customer's OpenAI API key); choose it "
                    + "through PUT /v1/admin/models/active after setting its key");
        }
        return model;
    }
}
