package ai.realstaging.common.staging;

import com.fasterxml.jackson.databind.JsonNode;

/** The parts of a Replicate prediction the pipeline reads. */
public record Prediction(String id, String status, JsonNode output, String error, Double predictTimeSeconds) {

    /** Anything but starting/processing is final; newer statuses such as aborted count as final too. */
    public boolean terminal() {
        return !"starting".equals(status) && !"processing".equals(status);
    }

    public boolean succeeded() {
        return "succeeded".equals(status);
    }

    static Prediction of(JsonNode node) {
        JsonNode metrics = node.path("metrics");
        return new Prediction(
                node.path("id").asText(null),
                node.path("status").asText(""),
                node.get("output"),
                node.hasNonNull("error") ? node.get("error").asText() : null,
                metrics.hasNonNull("predict_time") ? metrics.get("predict_time").asDouble() : null);
    }
}
