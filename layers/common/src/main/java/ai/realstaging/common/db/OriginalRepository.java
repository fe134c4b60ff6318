package ai.realstaging.common.db;

import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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
