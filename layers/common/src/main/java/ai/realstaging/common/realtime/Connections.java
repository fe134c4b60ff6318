package ai.realstaging.common.realtime;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The WebSocket connections table: who is connected where, until API Gateway's 2-hour limit. */
public final class Connections {
    /** API Gateway closes a WebSocket connection after 2 hours, whatever happens on it. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(2);
    /** Expired rows removed per new connection: the table cannot outgrow what $connect adds. */
    public static final int SWEEP_BATCH = 50;

    private Connections() {}

    /** Records a connection; a retried $connect for the same id overwrites it. */
    public static void record(Connection c, String connectionId, UUID userId, Instant connectedAt) throws SQLException {
        Sql.update(c, """
                INSERT INTO connections (connection_id, user_id, connected_at, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (connection_id) DO UPDATE SET user_id = EXCLUDED.user_id,
                    connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at""",
                connectionId, userId, connectedAt, connectedAt.plus(MAX_LIFETIME));
    }

    /** True when the row existed. */
    public static boolean remove(Connection c, String connectionId) throws SQLException {
        return Sql.update(c, "DELETE FROM connections WHERE connection_id = ?", connectionId) == 1;
    }

    /** The connections of one user that API Gateway may still hold open. */
    public static List<String> live(Connection c, UUID userId) throws SQLException {
        return Sql.list(c, "SELECT connection_id FROM connections WHERE user_id = ? AND expires_at > now()",
                rs -> rs.getString(1), userId);
    }

    /** Deletes up to {@code limit} connections past the 2-hour limit; answers how many went. */
    public static int sweepExpired(Connection c, int limit) throws SQLException {
        return Sql.update(c, """
                DELETE FROM connections WHERE connection_id IN (
                    SELECT connection_id FROM connections WHERE expires_at <= now() ORDER BY expires_at LIMIT ?
                    FOR UPDATE SKIP LOCKED)""", limit);
    }
}
