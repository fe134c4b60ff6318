package ai.realstaging.common.db;

import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Uploaded photos; user-facing reads filter by owner, the staging pipeline finds them by storage key. */
public final class OriginalRepository {
    private OriginalRepository() {}

    public static Original insert(Connection c, Original o) throws SQLException {
        return Sql.one(c, """
                INSERT INTO originals (id, project_id, user_id, filename, content_type, size_bytes, s3_key,
                                       status, upload_expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
                OriginalRepository::map, o.id(), o.projectId(), o.userId(), o.filename(), o.contentType(),
                o.sizeBytes(), o.s3Key(), o.status().wire(), o.uploadExpiresAt()).orElseThrow();
    }

    public static Optional<Original> findOwned(Connection c, UUID id, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT * FROM originals WHERE id = ? AND user_id = ?", OriginalRepository::map, id, userId);
    }

    public static Optional<Original> find(Connection c, UUID id) throws SQLException {
        return Sql.one(c, "SELECT * FROM originals WHERE id = ?", OriginalRepository::map, id);
    }

    public static Optional<Original> findByKey(Connection c, String key) throws SQLException {
        return Sql.one(c, "SELECT * FROM originals WHERE s3_key = ?", OriginalRepository::map, key);
    }

    /** Oldest first, so a gallery reads in upload order. */
    public static List<Original> listByProject(Connection c, UUID projectId, UUID userId, Cursor after, int limit)
            throws SQLException {
        if (after == null) {
            return Sql.list(c, """
                    SELECT * FROM originals WHERE project_id = ? AND user_id = ?
                    ORDER BY created_at, id LIMIT ?""", OriginalRepository::map, projectId, userId, limit);
        }
        return Sql.list(c, """
                SELECT * FROM originals WHERE project_id = ? AND user_id = ? AND (created_at, id) > (?, ?)
                ORDER BY created_at, id LIMIT ?""",
                OriginalRepository::map, projectId, userId, after.createdAt(), after.id(), limit);
    }

    /**
     * Originals of a project that changed after {@code since}, or whose images did: what a client
     * that last refreshed at {@code since} must re-read. Same order and cursor as the full list.
     */
    public static List<Original> listChangedSince(Connection c, UUID projectId, UUID userId, Instant since,
                                                  Cursor after, int limit) throws SQLException {
        String changed = """
                SELECT * FROM originals o WHERE o.project_id = ? AND o.user_id = ?
                AND (o.updated_at > ? OR EXISTS (
                    SELECT 1 FROM images i WHERE i.original_id = o.id AND i.updated_at > ?))""";
        if (after == null) {
            return Sql.list(c, changed + " ORDER BY o.created_at, o.id LIMIT ?",
                    OriginalRepository::map, projectId, userId, since, since, limit);
        }
        return Sql.list(c, changed + " AND (o.created_at, o.id) > (?, ?) ORDER BY o.created_at, o.id LIMIT ?",
                OriginalRepository::map, projectId, userId, since, since, after.createdAt(), after.id(), limit);
    }

    /**
     * Deletes the original and its images (cascade); answers the storage keys they held. Quota of
     * images that never reached the model comes back; a started or finished one stays spent.
     */
    public static Optional<List<String>> delete(Connection c, UUID id, UUID userId) throws SQLException {
        Optional<Original> original = findOwned(c, id, userId);
        if (original.isEmpty()) return Optional.empty();
        List<Image> images = ImageRepository.lockForDelete(c, "original_id", id);
        ImageRepository.refundUnstarted(c, images);
        List<String> keys = new java.util.ArrayList<>();
        keys.add(original.get().s3Key());
        keys.addAll(ImageRepository.stagedKeys(images));
        Sql.update(c, "DELETE FROM originals WHERE id = ? AND user_id = ?", id, userId);
        return Optional.of(keys);
    }

    public static boolean markUploaded(Connection c, UUID id, int width, int height) throws SQLException {
        return Sql.update(c, """
                UPDATE originals SET status = 'uploaded', width = ?, height = ?, uploaded_at = now(), updated_at = now()
                WHERE id = ? AND status = 'awaiting_upload'""", width, height, id) == 1;
    }

    public static boolean markRejected(Connection c, UUID id, String code, String reason) throws SQLException {
        return Sql.update(c, """
                UPDATE originals SET status = 'rejected', reject_code = ?, reject_reason = ?, updated_at = now()
                WHERE id = ? AND status = 'awaiting_upload'""", code, reason, id) == 1;
    }

    static Original map(ResultSet rs) throws SQLException {
        return new Original(
                Sql.uuid(rs, "id"), Sql.uuid(rs, "project_id"), Sql.uuid(rs, "user_id"),
                rs.getString("filename"), rs.getString("content_type"), rs.getLong("size_bytes"),
                rs.getString("s3_key"), OriginalStatus.of(rs.getString("status")),
                rs.getString("reject_code"), rs.getString("reject_reason"),
                Sql.integer(rs, "width"), Sql.integer(rs, "height"),
                Sql.instant(rs, "upload_expires_at"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
