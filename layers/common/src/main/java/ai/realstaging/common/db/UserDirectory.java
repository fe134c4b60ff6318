package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Our user id for an identity provider subject, remembered per execution environment: a subject's
 * id never changes, so a warm function asks the database once per user, not once per request.
 */
public final class UserDirectory {
    private static final int CAPACITY = 10_000;

    private final Map<String, UUID> ids = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UUID> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Finds or creates the user (race-free, see {@link UserRepository#resolve}). */
    public UUID resolve(Connection c, String subject, String email) throws SQLException {
        synchronized (ids) {
            UUID known = ids.get(subject);
            if (known != null) return known;
        }
        java.util.Optional<UUID> existing = UserRepository.find(c, subject);
        if (existing.isEmpty()) {
            // Not remembered: the row is new in this transaction, which may still roll back.
            return UserRepository.create(c, subject, email);
        }
        synchronized (ids) {
            ids.put(subject, existing.get());
        }
        return existing.get();
    }
}
