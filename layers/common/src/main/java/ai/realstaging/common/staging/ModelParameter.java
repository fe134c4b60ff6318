package ai.realstaging.common.staging;

import java.util.List;

/**
 * One tunable input of a model, kept as data so an admin setting can later be checked against it:
 * the field name in the model's schema, its type, the value we send, and its bounds or choices.
 */
public record ModelParameter(String name, Type type, Object defaultValue, Long min, Long max, List<String> allowed) {

    public enum Type { STRING, INTEGER, BOOLEAN }

    public static ModelParameter choice(String name, String defaultValue, String... allowed) {
        return new ModelParameter(name, Type.STRING, defaultValue, null, null, List.of(allowed));
    }

    public static ModelParameter integer(String name, long defaultValue, long min, long max) {
        return new ModelParameter(name, Type.INTEGER, defaultValue, min, max, null);
    }

    public static ModelParameter flag(String name, boolean defaultValue) {
        return new ModelParameter(name, Type.BOOLEAN, defaultValue, null, null, null);
    }
}
