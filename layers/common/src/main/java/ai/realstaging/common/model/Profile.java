package ai.realstaging.common.model;

import java.time.Instant;
import java.util.UUID;

/** A user's profile and preferences as stored; defaults are applied where it is read. */
public record Profile(UUID id, String email, String fullName, String companyName, String phone,
                      Address billingAddress, Preferences preferences, String planId,
                      Instant createdAt, Instant updatedAt) {

    /** A postal address for invoices; country is an ISO 3166-1 alpha-2 code. */
    public record Address(String line1, String line2, String city, String region, String postalCode, String country) {}

    /**
     * What a user chose; a null field was never set (or was cleared). Upload requests that leave out
     * the room type or styles take these; the disclosure label is on unless turned off.
     */
    public record Preferences(String defaultRoomType, String defaultStyle, Boolean disclosureLabel) {
        public static final Preferences NONE = new Preferences(null, null, null);

        public boolean disclosureLabelOn() {
            return disclosureLabel == null || disclosureLabel;
        }
    }
}
