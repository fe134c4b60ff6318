package ai.realstaging.common.staging;

import java.util.Map;

/**
 * What an admin set for one model: parameter values that replace the defaults, and decrypted
 * secrets. Only the keys that were set are present; {@link #value} falls back to the default.
 */
public record ModelSettings(Map<String, Object> parameters, Map<String, String> secrets) {

    public static final ModelSettings DEFAULTS = new ModelSettings(Map.of(), Map.of());

    public ModelSettings {
        parameters = Map.copyOf(parameters);
        secrets = Map.copyOf(secrets);
    }

    /** The value to send for a parameter: the admin's, else the model's default. */
    public Object value(ModelParameter parameter) {
        return parameters.getOrDefault(parameter.name(), parameter.defaultValue());
    }

    /** A secret's value, or null when none is set. */
    public String secret(String name) {
        return secrets.get(name);
    }

    @Override
    public String toString() {
        // Never print a secret.
        return "ModelSettings[parameters=" + parameters + ", secrets set=" + secrets.keySet() + "]";
    }
}
