package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Create calls whose prediction id is not recorded yet: the marker sent with the call, so a
 * create whose answer was lost can be found among Replicate's predictions instead of paid twice.
 */
public final class PredictionAttempts {
    private PredictionAttempts() {}

    /** One create call for one image, and when it started (by the database's clock). */
    public record Attempt(UUID imageId, UUID marker, String model, Instant startedAt) {}

    /** Written, and committed, before the create call goes out; replaces an earlier attempt. */
    public static Attempt start(Connection c, UUID imageId, UUID marker, String model) throws SQLException {
        return Sql.one(c, """
                INSERT INTO prediction_attempts (image_id, marker, model) VALUES (?, ?, ?)
                ON CONFLICT (image_id) DO UPDATE SET marker = EXCLUDED.marker, model = EXCLUDED.model, started_at = now()
                RETURNING *""", rs -> new Attempt(Sql.uuid(rs, "image_id"), Sql.uuid(rs, "marker"),
                rs.getString("model"), Sql.instant(rs, "started_at")), imageId, marker, model).orElseThrow();
    }

    public static Optional<Attempt> find(Connection c, UUID imageId) throws SQLException {
        return Sql.one(c, "SELECT * FROM prediction_attempts WHERE image_id = ?", rs -> new Attempt(
                Sql.uuid(rs, "image_id"), Sql.uuid(rs, "marker"), rs.getString("model"), Sql.instant(rs, "started_at")),
                imageId);
    }

    /** The prediction is recorded on the image: the attempt is settled. */
    public static void clear(Connection c, UUID imageId) throws SQLException {
        Sql.update(c, "DELETE FROM prediction_attempts WHERE image_id = ?", imageId);
    }
}
