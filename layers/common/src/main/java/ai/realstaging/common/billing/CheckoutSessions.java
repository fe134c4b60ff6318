package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The Checkout sessions we opened, so a user has at most one open at a time. */
public final class CheckoutSessions {
    private CheckoutSessions() {}

    public record Session(String id, UUID userId, String planId, String url, String status, Instant expiresAt) {}

    public static void insert(Connection c, Session s) throws SQLException {
        Sql.update(c, "INSERT INTO checkout_sessions (id, user_id, plan_id, url, status, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                s.id(), s.userId(), s.planId(), s.url(), s.status(), s.expiresAt());
    }

    public static List<Session> open(Connection c, UUID userId) throws SQLException {
        return Sql.list(c, """
                SELECT id, user_id, plan_id, url, status, expires_at FROM checkout_sessions
                WHERE user_id = ? AND status = 'open' ORDER BY created_at DESC""",
                rs -> new Session(rs.getString("id"), Sql.uuid(rs, "user_id"), rs.getString("plan_id"), rs.getString("url"),
                        rs.getString("status"), Sql.instant(rs, "expires_at")), userId);
    }

    /** Records what became of a session; one we did not open (made elsewhere) is simply not there. */
    public static void settle(Connection c, String id, String status) throws SQLException {
        Sql.update(c, "UPDATE checkout_sessions SET status = ?, updated_at = now() WHERE id = ? AND status = 'open'",
                status, id);
    }
}
