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

    /** Replicate's owner/name of the official model. */
    String replicateModel();

    BigDecimal pricePerImageUsd();

    /**
     * The model's input, matching its published schema; the photo is passed as a short-lived URL.
     * A model that cannot run as configured (see {@link #selectable()}) throws IllegalStateException.
     */
    Map<String, Object> input(URI photoUrl, String prompt, Long seed);

    /** The inputs an admin may tune, with the values {@link #input} sends by default. */
    List<ModelParameter> parameters();

    /** Whether the model can be used as configured; a model needing a missing secret cannot. */
    default boolean selectable() {
        return true;
    }

    /** The first output file: models answer a single URI or a list of URIs. */
    default Optional<URI> output(JsonNode output) {
        if (output == null || output.isNull()) return Optional.empty();
        JsonNode first = output.isArray() ? output.path(0) : output;
        return first.isTextual() && !first.asText().isBlank() ? Optional.of(URI.create(first.asText())) : Optional.empty();
    }
}
