package ai.realstaging.common.model;

/** Life of one staged image: awaiting_upload → queued → processing → ready | failed (failed → queued on retry). */
public enum ImageStatus {
    AWAITING_UPLOAD, QUEUED, PROCESSING, READY, FAILED;

    public String wire() {
        return name().toLowerCase();
    }

    public static ImageStatus of(String wire) {
        return valueOf(wire.toUpperCase());
    }
}
