package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Create calls whose prediction id is not recorded yet: the marker sent with the call, so a
 * create whose answer was lost can be found among Replicate's predictions instead of paid twice.
 */
public final class PredictionAttempts {
    private PredictionAttempts() {}

    /**
     * One create call for one image. {@code untilSettled} is how long a search that finds nothing
     * stays inconclusive (the call may still be in flight), by the database's clock.
     */
    public record Attempt(UUID imageId, UUID marker, String model, Instant startedAt, Duration untilSettled) {}

    private static final String COLUMNS = "image_id, marker, model, started_at, "
            + "GREATEST(0, EXTRACT(EPOCH FROM settle_until - now()) * 1000)::bigint AS settle_ms";

    /** Written, and committed, before the create call goes out; replaces an earlier attempt. */
    public static Attempt start(Connection c, UUID imageId, UUID marker, String model, Duration settle) throws SQLException {
        return Sql.one(c, """
                INSERT INTO prediction_attempts (image_id, marker, model, settle_until)
                VALUES (?, ?, ?, now() + make_interval(secs => ?))
                ON CONFLICT (image_id) DO UPDATE SET marker = EXCLUDED.marker, model = EXCLUDED.model,
                    started_at = now(), settle_until = EXCLUDED.settle_until
                RETURNING\s""" + COLUMNS, PredictionAttempts::map, imageId, marker, model, settle.toMillis() / 1000.0)
                .orElseThrow();
    }

    public static Optional<Attempt> find(Connection c, UUID imageId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM prediction_attempts WHERE image_id = ?", PredictionAttempts::map,
                imageId);
    }

    /** The call was answered (with an error that may still have created a prediction): nothing is in flight now. */
    public static void answered(Connection c, UUID imageId) throws SQLException {
        Sql.update(c, "UPDATE prediction_attempts SET settle_until = now() WHERE image_id = ?", imageId);
    }

    /** The prediction is recorded on the image, or the call was refused: the attempt is settled. */
    public static void clear(Connection c, UUID imageId) throws SQLException {
        Sql.update(c, "DELETE FROM prediction_attempts WHERE image_id = ?", imageId);
    }

    private static Attempt map(ResultSet rs) throws SQLException {
        return new Attempt(Sql.uuid(rs, "image_id"), Sql.uuid(rs, "marker"), rs.getString("model"),
                Sql.instant(rs, "started_at"), Duration.ofMillis(rs.getLong("settle_ms")));
    }
}
