package ai.realstaging.common.storage;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Where files live in the bucket: uploads/{user}/{original}/{safe-name} and staged/{user}/{image}.{ext}. */
public final class ObjectKeys {
    public static final String UPLOADS_PREFIX = "uploads/";
    public static final String STAGED_PREFIX = "staged/";
    private static final int MAX_NAME = 100;

    private ObjectKeys() {}

    public static String upload(UUID userId, UUID originalId, String safeName) {
        return UPLOADS_PREFIX + userId + "/" + originalId + "/" + safeName;
    }

    public static String staged(UUID userId, UUID imageId, String extension) {
        return STAGED_PREFIX + userId + "/" + imageId + "." + extension;
    }

    /** The original id an upload key names, if it is one of ours. */
    public static Optional<UUID> originalIdOf(String key) {
        if (key == null || !key.startsWith(UPLOADS_PREFIX)) return Optional.empty();
        String[] parts = key.split("/", 4);
        if (parts.length != 4) return Optional.empty();
        try {
            UUID.fromString(parts[1]);
            return Optional.of(UUID.fromString(parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A file name safe for keys and Content-Disposition: ASCII letters, digits, dot, dash and
     * underscore; accents folded; at most 100 characters with the extension kept.
     */
    public static String sanitize(String filename) {
        String base = filename.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        base = Normalizer.normalize(base, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        base = base.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("_+", "_");
        // The extension is taken before leading dots and underscores go: a name of only non-Latin
        // letters ("_.png" by now) becomes photo.png, not "png".
        int dot = base.lastIndexOf('.');
        String ext = dot >= 0 ? base.substring(dot).toLowerCase(Locale.ROOT) : "";
        String stem = (dot >= 0 ? base.substring(0, dot) : base).replaceAll("^[._]+", "");
        if (stem.isEmpty()) stem = "photo";
        if (stem.length() + ext.length() > MAX_NAME) {
            stem = stem.substring(0, Math.max(1, MAX_NAME - ext.length()));
        }
        return stem + ext;
    }
}
