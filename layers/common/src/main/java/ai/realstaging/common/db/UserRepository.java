package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/** Our user row for an identity provider subject, created on first sight without races. */
public final class UserRepository {
    private UserRepository() {}

    public static UUID resolve(Connection c, String sub, String email) throws SQLException {
        Optional<UUID> known = Sql.one(c, "SELECT id FROM users WHERE auth_sub = ?", rs -> Sql.uuid(rs, "id"), sub);
        if (known.isPresent()) {
            return known.get();
        }
        // ON CONFLICT ... DO UPDATE returns the row whether this request or a parallel one inserted it.
        return Sql.one(c, """
                INSERT INTO users (auth_sub, email) VALUES (?, ?)
                ON CONFLICT (auth_sub) DO UPDATE SET email = COALESCE(users.email, EXCLUDED.email)
                RETURNING id""", rs -> Sql.uuid(rs, "id"), sub, email).orElseThrow();
    }
}
