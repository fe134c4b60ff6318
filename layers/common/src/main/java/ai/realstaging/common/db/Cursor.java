package ai.realstaging.common.db;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/** Keyset paging position (creation time, id), handed to clients as an opaque string. */
public record Cursor(Instant createdAt, UUID id) {

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        String raw = micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Empty when the text is not a cursor we made. */
    public static Optional<Cursor> decode(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            long micros = Long.parseLong(raw.substring(0, colon));
            return Optional.of(new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS),
                    UUID.fromString(raw.substring(colon + 1))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
