package ai.realstaging.common.staging;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One tunable input of a model, kept as data so an admin setting is checked against it when it is
 * saved: the field name in the model's schema, its type, the value we send by default, and its
 * bounds or choices. A {@link Type#SECRET} (an API key) has no default and is never shown back.
 */
public record ModelParameter(String name, Type type, Object defaultValue, Long min, Long max, List<String> allowed) {

    public enum Type { STRING, INTEGER, BOOLEAN, SECRET }

    /** Secrets are API keys: long enough to be one, short enough to store, no spaces. */
    static final int SECRET_MIN = 20;
    static final int SECRET_MAX = 500;

    public static ModelParameter choice(String name, String defaultValue, String... allowed) {
        return new ModelParameter(name, Type.STRING, defaultValue, null, null, List.of(allowed));
    }

    public static ModelParameter integer(String name, long defaultValue, long min, long max) {
        return new ModelParameter(name, Type.INTEGER, defaultValue, min, max, null);
    }

    public static ModelParameter flag(String name, boolean defaultValue) {
        return new ModelParameter(name, Type.BOOLEAN, defaultValue, null, null, null);
    }

    /** A required secret the model cannot run without, e.g. a customer's own API key. */
    public static ModelParameter secret(String name) {
        return new ModelParameter(name, Type.SECRET, null, null, null, null);
    }

    public boolean secret() {
        return type == Type.SECRET;
    }

    /**
     * What is wrong with {@code value} for this parameter, or null when it is acceptable. The
     * message never repeats the value: for a secret it could be the key itself.
     */
    public String problem(JsonNode value) {
        return switch (type) {
            case STRING -> !value.isTextual() ? "must be one of " + String.join(", ", allowed)
                    : allowed.contains(value.asText()) ? null : "must be one of " + String.join(", ", allowed);
            case INTEGER -> !value.isIntegralNumber() || !value.canConvertToLong()
                    ? "must be a whole number from " + min + " to " + max
                    : value.asLong() < min || value.asLong() > max ? "must be from " + min + " to " + max : null;
            case BOOLEAN -> value.isBoolean() ? null : "must be true or false";
            case SECRET -> !value.isTextual() ? "must be text"
                    : value.asText().length() < SECRET_MIN || value.asText().length() > SECRET_MAX
                    ? "must be " + SECRET_MIN + " to " + SECRET_MAX + " characters"
                    : value.asText().chars().anyMatch(Character::isWhitespace) ? "must not contain spaces" : null;
        };
    }

    /** The Java value of a JSON value that passed {@link #problem}: String, Long or Boolean. */
    public Object read(JsonNode value) {
        return switch (type) {
            case STRING, SECRET -> value.asText();
            case INTEGER -> value.asLong();
            case BOOLEAN -> value.asBoolean();
        };
    }
}
