package ai.realstaging.common.db;

import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Staged images and their state machine; every transition is one conditional UPDATE. */
public final class ImageRepository {
    private ImageRepository() {}

    public static Image insert(Connection c, Image i) throws SQLException {
        return Sql.one(c, """
                INSERT INTO images (id, original_id, project_id, user_id, room_type, style, mode, prompt, seed, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
                ImageRepository::map, i.id(), i.originalId(), i.projectId(), i.userId(), i.roomType(), i.style(),
                i.mode(), i.prompt(), i.seed(), i.status().wire()).orElseThrow();
    }

    /** A new image of an uploaded original (re-stage): queued at once, its stage message sent after commit. */
    public static Image insertQueued(Connection c, Image i) throws SQLException {
        return Sql.one(c, """
                INSERT INTO images (id, original_id, project_id, user_id, room_type, style, mode, prompt, seed,
                                    status, queued_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', now()) RETURNING *""",
                ImageRepository::map, i.id(), i.originalId(), i.projectId(), i.userId(), i.roomType(), i.style(),
                i.mode(), i.prompt(), i.seed()).orElseThrow();
    }

    /**
     * failed → queued for an explicit retry. The failed run is forgotten (prediction, model, timings),
     * so the retry pays for one new prediction; answers the image when this call made the change.
     */
    public static Optional<Image> requeueFailed(Connection c, UUID id, UUID userId) throws SQLException {
        return Sql.one(c, """
                UPDATE images SET status = 'queued', error_code = NULL, error_message = NULL, model = NULL,
                                  prediction_id = NULL, cost_usd = NULL, model_ms = NULL, total_ms = NULL,
                                  attempts = 0, lease_until = NULL, started_at = NULL, completed_at = NULL,
                                  queued_at = now(), updated_at = now()
                WHERE id = ? AND user_id = ? AND status = 'failed' RETURNING *""", ImageRepository::map, id, userId);
    }

    /** Deletes the image; answers its staged file's key (if any) for deletion. The original's file stays. */
    public static Optional<Optional<String>> delete(Connection c, UUID id, UUID userId) throws SQLException {
        Optional<Image> image = Sql.one(c, "SELECT * FROM images WHERE id = ? AND user_id = ? FOR UPDATE",
                ImageRepository::map, id, userId);
        if (image.isEmpty()) return Optional.empty();
        refundUnstarted(c, List.of(image.get()));
        Sql.update(c, "DELETE FROM images WHERE id = ? AND user_id = ?", id, userId);
        return Optional.of(Optional.ofNullable(image.get().stagedKey()));
    }

    /**
     * The images of a project or an original, locked: none is claimed (and starts paying) between a
     * delete's refund and the delete itself.
     */
    static List<Image> lockForDelete(Connection c, String parentColumn, UUID parentId) throws SQLException {
        if (!parentColumn.equals("project_id") && !parentColumn.equals("original_id")) {
            throw new IllegalArgumentException("not a parent of images: " + parentColumn);
        }
        return Sql.list(c, "SELECT * FROM images WHERE " + parentColumn + " = ? FOR UPDATE", ImageRepository::map, parentId);
    }

    /** A deleted image that never reached the model gives its unit back; a started or finished one stays spent. */
    static void refundUnstarted(Connection c, List<Image> deleted) throws SQLException {
        Object[] unstarted = deleted.stream()
                .filter(i -> i.status() == ImageStatus.AWAITING_UPLOAD || i.status() == ImageStatus.QUEUED)
                .map(Image::id).toArray();
        if (unstarted.length == 0) return;
        Sql.update(c, """
                UPDATE usage_reservations SET status = 'released', updated_at = now()
                WHERE status = 'reserved' AND image_id = ANY (?)""", c.createArrayOf("uuid", unstarted));
    }

    /** The staged files of these images. */
    static List<String> stagedKeys(List<Image> images) {
        return images.stream().map(Image::stagedKey).filter(java.util.Objects::nonNull).toList();
    }

    public static Optional<Image> findOwned(Connection c, UUID id, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT * FROM images WHERE id = ? AND user_id = ?", ImageRepository::map, id, userId);
    }

    public static Optional<Image> find(Connection c, UUID id) throws SQLException {
        return Sql.one(c, "SELECT * FROM images WHERE id = ?", ImageRepository::map, id);
    }

    /** All images of a page of originals in one query, never one query per original. */
    public static List<Image> listByOriginals(Connection c, Collection<UUID> originalIds) throws SQLException {
        if (originalIds.isEmpty()) {
            return List.of();
        }
        Array ids = c.createArrayOf("uuid", originalIds.toArray());
        return Sql.list(c, "SELECT * FROM images WHERE original_id = ANY (?) ORDER BY created_at, id",
                ImageRepository::map, ids);
    }

    public static List<Image> listByOriginal(Connection c, UUID originalId) throws SQLException {
        return Sql.list(c, "SELECT * FROM images WHERE original_id = ? ORDER BY created_at, id",
                ImageRepository::map, originalId);
    }

    /** awaiting_upload → queued for every image of a verified upload. */
    public static List<Image> queueAwaiting(Connection c, UUID originalId) throws SQLException {
        return Sql.list(c, """
                UPDATE images SET status = 'queued', queued_at = now(), updated_at = now()
                WHERE original_id = ? AND status = 'awaiting_upload' RETURNING *""", ImageRepository::map, originalId);
    }

    /** Images still waiting for their stage message (a redelivered upload event sends them again). */
    public static List<Image> listQueued(Connection c, UUID originalId) throws SQLException {
        return Sql.list(c, "SELECT * FROM images WHERE original_id = ? AND status = 'queued'",
                ImageRepository::map, originalId);
    }

    /**
     * Claims an image for one worker: queued → processing, or takes over a processing image
     * whose previous worker's lease ran out (it may resume that worker's prediction).
     */
    public static Optional<Image> claim(Connection c, UUID id, Instant leaseUntil) throws SQLException {
        return Sql.one(c, """
                UPDATE images SET status = 'processing', attempts = attempts + 1, lease_until = ?,
                                  started_at = COALESCE(started_at, now()), updated_at = now()
                WHERE id = ? AND (status = 'queued' OR (status = 'processing' AND lease_until < now()))
                RETURNING *""", ImageRepository::map, leaseUntil, id);
    }

    /** Stored before waiting on the model, so a redelivery polls this prediction instead of paying again. */
    public static void recordPrediction(Connection c, UUID id, String model, String predictionId) throws SQLException {
        Sql.update(c, "UPDATE images SET model = ?, prediction_id = ?, updated_at = now() WHERE id = ?",
                model, predictionId, id);
    }

    /** Gives the claim up early, so a redelivered message can take the image over at once. */
    public static void releaseLease(Connection c, UUID id) throws SQLException {
        Sql.update(c, "UPDATE images SET lease_until = now() WHERE id = ? AND status = 'processing'", id);
    }

    public static Optional<Image> markReady(Connection c, UUID id, String stagedKey, String contentType,
                                            BigDecimal costUsd, Integer modelMs, int totalMs) throws SQLException {
        return Sql.one(c, """
                UPDATE images SET status = 'ready', staged_key = ?, staged_content_type = ?, cost_usd = ?,
                                  model_ms = ?, total_ms = ?, lease_until = NULL, completed_at = now(),
                                  error_code = NULL, error_message = NULL, updated_at = now()
                WHERE id = ? AND status = 'processing' RETURNING *""",
                ImageRepository::map, stagedKey, contentType, costUsd, modelMs, totalMs, id);
    }

    /** Fails an image that is not finished yet; returns it when this call made the change. */
    public static Optional<Image> markFailed(Connection c, UUID id, String code, String message) throws SQLException {
        return Sql.one(c, """
                UPDATE images SET status = 'failed', error_code = ?, error_message = ?, lease_until = NULL,
                                  completed_at = now(), updated_at = now()
                WHERE id = ? AND status IN ('awaiting_upload', 'queued', 'processing') RETURNING *""",
                ImageRepository::map, code, message, id);
    }

    static Image map(ResultSet rs) throws SQLException {
        return new Image(
                Sql.uuid(rs, "id"), Sql.uuid(rs, "original_id"), Sql.uuid(rs, "project_id"), Sql.uuid(rs, "user_id"),
                rs.getString("room_type"), rs.getString("style"), rs.getString("mode"), rs.getString("prompt"),
                Sql.longValue(rs, "seed"), ImageStatus.of(rs.getString("status")),
                rs.getString("error_code"), rs.getString("error_message"),
                rs.getString("model"), rs.getString("prediction_id"), rs.getBigDecimal("cost_usd"),
                Sql.integer(rs, "model_ms"), Sql.integer(rs, "total_ms"),
                rs.getString("staged_key"), rs.getString("staged_content_type"), rs.getInt("attempts"),
                Sql.instant(rs, "lease_until"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
