package ai.realstaging.local.replicate;

import java.util.Map;

/** A snapshot of one prediction the stand-in created, for test assertions. */
public record Prediction(String id, String model, Map<String, Object> input, String status) {}
