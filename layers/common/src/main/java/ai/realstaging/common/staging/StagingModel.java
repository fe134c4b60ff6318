package ai.realstaging.common.staging;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One image-edit model on Replicate: how to ask it for a staged photo and how to read its answer. */
public interface StagingModel {
    /** Our id, e.g. qwen-image-edit. */
    String id();

    /** A short name for people, e.g. "Qwen Image Edit". */
    String name();

    /** One or two sentences on what the model is good at, for the admin choosing one. */
    String description();

    /** Replicate's owner/name of the official model. */
    String replicateModel();

    BigDecimal pricePerImageUsd();

    /**
     * The model's input, matching its published schema, with the admin's settings applied; the
     * photo is passed as a short-lived URL. A model missing a required secret throws
     * IllegalStateException (see {@link #selectable}).
     */
    Map<String, Object> input(URI photoUrl, String prompt, Long seed, ModelSettings settings);

    /** The inputs an admin may tune (secrets included), with the values {@link #input} sends by default. */
    List<ModelParameter> parameters();

    /** Whether the model can run with these settings: every secret it needs is set. */
    default boolean selectable(ModelSettings settings) {
        return parameters().stream().filter(ModelParameter::secret).allMatch(p -> settings.secret(p.name()) != null);
    }

    /** The first output file: models answer a single URI or a list of URIs. */
    default Optional<URI> output(JsonNode output) {
        if (output == null || output.isNull()) return Optional.empty();
        JsonNode first = output.isArray() ? output.path(0) : output;
        return first.isTextual() && !first.asText().isBlank() ? Optional.of(URI.create(first.asText())) : Optional.empty();
    }

    /** Puts each tunable (non-secret) parameter's value into {@code input}, in schema order. */
    static void putParameters(Map<String, Object> input, List<ModelParameter> parameters, ModelSettings settings) {
        for (ModelParameter p : parameters) {
            if (!p.secret()) input.put(p.name(), settings.value(p));
        }
    }
}
