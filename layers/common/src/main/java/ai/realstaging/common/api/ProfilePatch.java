package ai.realstaging.common.api;

import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.model.Profile.Address;
import ai.realstaging.common.staging.Catalog;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A PATCH /v1/me body as a merge patch: a field left out stays as it is, a null clears it, and
 * preferences merge key by key. Every problem is reported at once; unknown fields are refused so
 * a typo is not silently ignored.
 */
public record ProfilePatch(Map<String, Object> columns, Map<String, Object> preferences) {
    static final int MAX_NAME = 200;
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 ().-]{3,38}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Set<String> FIELDS = Set.of("full_name", "company_name", "phone", "billing_address", "preferences");
    private static final Set<String> ADDRESS_FIELDS = Set.of("line1", "line2", "city", "region", "postal_code", "country");
    private static final Set<String> PREFERENCES = Set.of("default_room_type", "default_style", "disclosure_label");

    public static ProfilePatch parse(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> columns = new LinkedHashMap<>();
        Map<String, Object> preferences = new LinkedHashMap<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) errors.add(new FieldError(name, "is not a profile field"));
        });
        for (String field : List.of("full_name", "company_name")) {
            if (body.has(field)) columns.put(field, name(body.get(field), field, errors));
        }
        if (body.has("phone")) columns.put("phone", phone(body.get("phone"), errors));
        if (body.has("billing_address")) columns.put("billing_address", address(body.get("billing_address"), errors));
        if (body.has("preferences")) preferences(body.get("preferences"), preferences, errors);
        if (!errors.isEmpty()) throw new ApiException.ValidationFailed(errors);
        return new ProfilePatch(columns, preferences);
    }

    private static String name(JsonNode node, String field, List<FieldError> errors) {
        if (node.isNull()) return null;
        if (!node.isTextual() || node.asText().isBlank() || node.asText().strip().length() > MAX_NAME) {
            errors.add(new FieldError(field, "must be 1 to " + MAX_NAME + " characters, or null to clear it"));
            return null;
        }
        return node.asText().strip();
    }

    private static String phone(JsonNode node, List<FieldError> errors) {
        if (node.isNull()) return null;
        if (!node.isTextual() || !PHONE.matcher(node.asText().strip()).matches()) {
            errors.add(new FieldError("phone", "must be a phone number of 4 to 39 digits, spaces, dots, dashes or"
                    + " parentheses, optionally starting with +, or null to clear it"));
            return null;
        }
        return node.asText().strip();
    }

    private static Address address(JsonNode node, List<FieldError> errors) {
        if (node.isNull()) return null;
        if (!node.isObject()) {
            errors.add(new FieldError("billing_address", "must be an address object, or null to clear it"));
            return null;
        }
        int before = errors.size();
        node.fieldNames().forEachRemaining(name -> {
            if (!ADDRESS_FIELDS.contains(name)) {
                errors.add(new FieldError("billing_address." + name, "is not an address field"));
            }
        });
        String line1 = addressText(node, "line1", true, MAX_NAME, errors);
        String line2 = addressText(node, "line2", false, MAX_NAME, errors);
        String city = addressText(node, "city", true, 100, errors);
        String region = addressText(node, "region", false, 100, errors);
        String postalCode = addressText(node, "postal_code", false, 20, errors);
        String country = addressText(node, "country", true, 2, errors);
        if (country != null) {
            country = country.toUpperCase(Locale.ROOT);
            if (!COUNTRY.matcher(country).matches()) {
                errors.add(new FieldError("billing_address.country", "must be a two-letter ISO 3166-1 country code"));
            }
        }
        return errors.size() > before ? null : new Address(line1, line2, city, region, postalCode, country);
    }

    private static String addressText(JsonNode address, String field, boolean required, int max, List<FieldError> errors) {
        JsonNode node = address.get(field);
        if (node == null || node.isNull()) {
            if (required) errors.add(new FieldError("billing_address." + field, "is required"));
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank() || node.asText().strip().length() > max) {
            errors.add(new FieldError("billing_address." + field, "must be 1 to " + max + " characters"));
            return null;
        }
        return node.asText().strip();
    }

    private static void preferences(JsonNode node, Map<String, Object> into, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError("preferences", "must be an object of the preferences to change"));
            return;
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!PREFERENCES.contains(name)) errors.add(new FieldError("preferences." + name, "is not a preference"));
        });
        if (node.has("default_room_type")) {
            into.put("default_room_type", catalogId(node.get("default_room_type"), "preferences.default_room_type",
                    Catalog.ROOM_TYPES, errors));
        }
        if (node.has("default_style")) {
            into.put("default_style", catalogId(node.get("default_style"), "preferences.default_style",
                    Catalog.STYLES, errors));
        }
        if (node.has("disclosure_label")) {
            JsonNode label = node.get("disclosure_label");
            if (label.isNull()) {
                into.put("disclosure_label", null);
            } else if (label.isBoolean()) {
                into.put("disclosure_label", label.asBoolean());
            } else {
                errors.add(new FieldError("preferences.disclosure_label", "must be true, false, or null for the default (true)"));
            }
        }
    }

    private static String catalogId(JsonNode node, String field, Map<String, String> known, List<FieldError> errors) {
        if (node.isNull()) return null;
        if (!node.isTextual() || !known.containsKey(node.asText())) {
            errors.add(new FieldError(field, "must be one of " + String.join(", ", known.keySet()) + ", or null"));
            return null;
        }
        return node.asText();
    }
}
