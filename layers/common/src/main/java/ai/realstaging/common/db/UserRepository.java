package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/** Our user row for an identity provider subject, created on first sight without races. */
public final class UserRepository {
    private UserRepository() {}

    public static Optional<UUID> find(Connection c, String sub) throws SQLException {
        return Sql.one(c, "SELECT id FROM users WHERE auth_sub = ?", rs -> Sql.uuid(rs, "id"), sub);
    }

    public static UUID resolve(Connection c, String sub, String email) throws SQLException {
        Optional<UUID> known = find(c, sub);
        return known.isPresent() ? known.get() : create(c, sub, email);
    }

    public static UUID create(Connection c, String sub, String email) throws SQLException {
        // ON CONFLICT ... DO UPDATE returns the row whether this request or a parallel one inserted it.
        return Sql.one(c, """
                INSERT INTO users (auth_sub, email) VALUES (?, ?)
                ON CONFLICT (auth_sub) DO UPDATE SET email = COALESCE(users.email, EXCLUDED.email)
                RETURNING id""", rs -> Sql.uuid(rs, "id"), sub, email).orElseThrow();
    }
}
