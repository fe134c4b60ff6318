package ai.realstaging.projects;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The opaque cursor of the invoice list: the last Stripe invoice id shown, for Stripe's starting_after. */
final class InvoiceCursor {
    private static final String PREFIX = "invoice:";

    private InvoiceCursor() {}

    static String encode(String invoiceId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + invoiceId).getBytes(StandardCharsets.UTF_8));
    }

    /** Empty when the text is not a cursor we made. */
    static Optional<String> decode(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            if (!raw.startsWith(PREFIX)) return Optional.empty();
            String id = raw.substring(PREFIX.length());
            return id.matches("in_[A-Za-z0-9]{1,200}") ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
