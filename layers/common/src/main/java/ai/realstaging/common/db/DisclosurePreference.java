package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/** Whether a user's staged photos carry the "Virtually staged" label: on unless they turned it off. */
public final class DisclosurePreference {
    private DisclosurePreference() {}

    /** Only an explicit {@code "disclosure_label": false} turns it off; absent (the default) is on. */
    public static boolean on(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT NOT (preferences @> '{\"disclosure_label\": false}'::jsonb) AS label FROM users WHERE id = ?",
                rs -> rs.getBoolean("label"), userId).orElse(true);
    }
}
