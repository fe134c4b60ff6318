package ai.realstaging.common.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Settings of a function, read from its environment (Lambda) or handed in whole (local stack, tests). */
public final class Config {
    private final Map<String, String> values;

    private Config(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Config fromEnvironment() {
        return new Config(System.getenv());
    }

    public static Config of(Map<String, String> values) {
        return new Config(values);
    }

    /** A copy with some values replaced, for a local stack that layers its own settings over the template's. */
    public Config with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(overrides);
        return new Config(merged);
    }

    public Optional<String> get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    public String require(String name) {
        return get(name).orElseThrow(() -> new IllegalStateException("Missing setting " + name));
    }

    public int getInt(String name, int fallback) {
        return get(name).map(Integer::parseInt).orElse(fallback);
    }

    public boolean getBoolean(String name, boolean fallback) {
        return get(name).map(Boolean::parseBoolean).orElse(fallback);
    }

    public Duration getSeconds(String name, Duration fallback) {
        return get(name).map(s -> Duration.ofSeconds(Long.parseLong(s))).orElse(fallback);
    }

    public String region() {
        return get("AWS_REGION").or(() -> get("AWS_DEFAULT_REGION")).orElse("us-east-1");
    }
}
