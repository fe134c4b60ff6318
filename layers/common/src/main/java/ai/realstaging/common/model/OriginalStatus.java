package ai.realstaging.common.model;

/** Life of an uploaded photo: awaiting_upload → uploaded | rejected | expired. */
public enum OriginalStatus {
    AWAITING_UPLOAD, UPLOADED, REJECTED, EXPIRED;

    public String wire() {
        return name().toLowerCase();
    }

    public static OriginalStatus of(String wire) {
        return valueOf(wire.toUpperCase());
    }
}
