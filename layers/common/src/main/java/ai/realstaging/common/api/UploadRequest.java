package ai.realstaging.common.api;

import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.model.Profile.Preferences;
import ai.realstaging.common.staging.Catalog;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * A request to start one upload (PRODUCT.md §2 step 1), validated with every problem reported at
 * once: 413 when the only problem is the size, 415 when it is only the type, 422 otherwise.
 */
public record UploadRequest(String filename, String contentType, long sizeBytes, String roomType,
                            List<String> styles, String mode, String prompt, Long seed) {

    public static UploadRequest parse(JsonNode body) {
        return parse(body, Preferences.NONE);
    }

    /** Whether the body leaves out a field the user's preferences could fill in. */
    public static boolean usesDefaults(JsonNode body) {
        return !body.hasNonNull("room_type") || !body.hasNonNull("styles");
    }

    /** As {@link #parse(JsonNode)}, with the user's default room type and style for fields left out. */
    public static UploadRequest parse(JsonNode body, Preferences defaults) {
        List<FieldError> errors = new ArrayList<>();
        List<FieldError> sizeErrors = new ArrayList<>();
        List<FieldError> typeErrors = new ArrayList<>();

        String filename = text(body, "filename", errors);
        if (filename != null && (filename.isBlank() || filename.length() > 255)) {
            errors.add(new FieldError("filename", "must be 1 to 255 characters"));
        }

        String contentType = text(body, "content_type", errors);
        if (contentType != null) {
            contentType = contentType.trim().toLowerCase(Locale.ROOT);
            List<String> extensions = Catalog.CONTENT_TYPES.get(contentType);
            if (extensions == null) {
                typeErrors.add(new FieldError("content_type", "must be one of " + String.join(", ", Catalog.CONTENT_TYPES.keySet())));
            } else if (filename != null && !filename.isBlank() && !extensions.contains(extension(filename))) {
                errors.add(new FieldError("filename", "the extension must match " + contentType + " (."
                        + String.join(" or .", extensions) + ")"));
            }
        }

        long size = 0;
        JsonNode sizeNode = body.get("size_bytes");
        if (sizeNode == null || sizeNode.isNull()) {
            errors.add(new FieldError("size_bytes", "is required"));
        } else if (!sizeNode.isIntegralNumber()) {
            errors.add(new FieldError("size_bytes", "must be a whole number of bytes"));
        } else {
            size = sizeNode.asLong();
            if (size < 1) {
                errors.add(new FieldError("size_bytes", "must be at least 1"));
            } else if (size > Catalog.MAX_UPLOAD_BYTES) {
                sizeErrors.add(new FieldError("size_bytes", "must be at most " + Catalog.MAX_UPLOAD_BYTES + " bytes (10 MiB)"));
            }
        }

        StagingOptions options = StagingOptions.parse(body, defaults, errors);

        if (!errors.isEmpty() || (!sizeErrors.isEmpty() && !typeErrors.isEmpty())) {
            errors.addAll(typeErrors);
            errors.addAll(sizeErrors);
            throw new ApiException.ValidationFailed(errors);
        }
        if (!typeErrors.isEmpty()) throw new ApiException.UnsupportedMediaType(typeErrors);
        if (!sizeErrors.isEmpty()) throw new ApiException.PayloadTooLarge(sizeErrors);
        return new UploadRequest(filename, contentType, size, options.roomType(), options.styles(),
                options.mode(), options.prompt(), options.seed());
    }

    /** Room type, styles, mode, prompt and seed: shared by uploads and re-staging. */
    public record StagingOptions(String roomType, List<String> styles, String mode, String prompt, Long seed) {

        static StagingOptions parse(JsonNode body, Preferences defaults, List<FieldError> errors) {
            String roomType = roomType(body, defaults.defaultRoomType(), errors);
            List<String> styles = new ArrayList<>();
            JsonNode stylesNode = body.get("styles");
            if ((stylesNode == null || stylesNode.isNull()) && defaults.defaultStyle() != null) {
                styles.add(defaults.defaultStyle());
            } else if (stylesNode == null || stylesNode.isNull()) {
                errors.add(new FieldError("styles", "is required: 1 to " + Catalog.MAX_STYLES
                        + " styles (or set a default style in your preferences)"));
            } else if (!stylesNode.isArray()) {
                errors.add(new FieldError("styles", "must be a list of style ids"));
            } else {
                LinkedHashSet<String> unique = new LinkedHashSet<>();
                for (int i = 0; i < stylesNode.size(); i++) {
                    JsonNode s = stylesNode.get(i);
                    if (!s.isTextual() || !Catalog.STYLES.containsKey(s.asText())) {
                        errors.add(new FieldError("styles[" + i + "]", "must be one of "
                                + String.join(", ", Catalog.STYLES.keySet())));
                    } else if (!unique.add(s.asText())) {
                        errors.add(new FieldError("styles[" + i + "]", "repeats " + s.asText()));
                    }
                }
                if (stylesNode.isEmpty() || stylesNode.size() > Catalog.MAX_STYLES) {
                    errors.add(new FieldError("styles", "must hold 1 to " + Catalog.MAX_STYLES + " styles"));
                }
                styles.addAll(unique);
            }
            return new StagingOptions(roomType, List.copyOf(styles), mode(body, errors), prompt(body, errors),
                    seed(body, errors));
        }

        /** The room type asked for, else the fallback (the user's default, or the original's). */
        public static String roomType(JsonNode body, String fallback, List<FieldError> errors) {
            if (!body.hasNonNull("room_type") && fallback != null) return fallback;
            String roomType = text(body, "room_type", errors);
            if (roomType != null && !Catalog.ROOM_TYPES.containsKey(roomType)) {
                errors.add(new FieldError("room_type", "must be one of " + String.join(", ", Catalog.ROOM_TYPES.keySet())));
                return null;
            }
            return roomType;
        }

        /** One style id, required unless there is a fallback. */
        public static String style(JsonNode body, String fallback, List<FieldError> errors) {
            if (!body.hasNonNull("style") && fallback != null) return fallback;
            String style = text(body, "style", errors);
            if (style != null && !Catalog.STYLES.containsKey(style)) {
                errors.add(new FieldError("style", "must be one of " + String.join(", ", Catalog.STYLES.keySet())));
                return null;
            }
            return style;
        }

        public static String mode(JsonNode body, List<FieldError> errors) {
            String mode = Catalog.DEFAULT_MODE;
            JsonNode modeNode = body.get("mode");
            if (modeNode != null && !modeNode.isNull()) {
                if (!modeNode.isTextual() || !Catalog.MODES.containsKey(modeNode.asText())) {
                    errors.add(new FieldError("mode", "must be one of " + String.join(", ", Catalog.MODES.keySet())));
                } else {
                    mode = modeNode.asText();
                }
            }
            return mode;
        }

        public static String prompt(JsonNode body, List<FieldError> errors) {
            String prompt = null;
            JsonNode promptNode = body.get("prompt");
            if (promptNode != null && !promptNode.isNull()) {
                if (!promptNode.isTextual()) {
                    errors.add(new FieldError("prompt", "must be text"));
                } else {
                    prompt = promptNode.asText().trim();
                    if (prompt.length() < Catalog.MIN_PROMPT || prompt.length() > Catalog.MAX_PROMPT) {
                        errors.add(new FieldError("prompt", "must be " + Catalog.MIN_PROMPT + " to " + Catalog.MAX_PROMPT + " characters"));
                    }
                }
            }
            return prompt;
        }

        public static Long seed(JsonNode body, List<FieldError> errors) {
            Long seed = null;
            JsonNode seedNode = body.get("seed");
            if (seedNode != null && !seedNode.isNull()) {
                if (!seedNode.isIntegralNumber() || seedNode.asLong() < 1 || seedNode.asLong() > Catalog.MAX_SEED
                        || !seedNode.canConvertToLong()) {
                    errors.add(new FieldError("seed", "must be a whole number from 1 to " + Catalog.MAX_SEED));
                } else {
                    seed = seedNode.asLong();
                }
            }
            return seed;
        }
    }

    private static String text(JsonNode body, String field, List<FieldError> errors) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be text"));
            return null;
        }
        return node.asText();
    }

    private static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
