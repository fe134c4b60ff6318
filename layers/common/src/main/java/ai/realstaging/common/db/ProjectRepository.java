package ai.realstaging.common.db;

import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Project;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Projects, always filtered by their owner. */
public final class ProjectRepository {
    private ProjectRepository() {}

    public static Project insert(Connection c, UUID id, UUID userId, String name) throws SQLException {
        return Sql.one(c, "INSERT INTO projects (id, user_id, name) VALUES (?, ?, ?) RETURNING *",
                ProjectRepository::map, id, userId, name).orElseThrow();
    }

    public static Optional<Project> findOwned(Connection c, UUID id, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT * FROM projects WHERE id = ? AND user_id = ?", ProjectRepository::map, id, userId);
    }

    public static Optional<Project> rename(Connection c, UUID id, UUID userId, String name) throws SQLException {
        return Sql.one(c, "UPDATE projects SET name = ?, updated_at = now() WHERE id = ? AND user_id = ? RETURNING *",
                ProjectRepository::map, name, id, userId);
    }

    /**
     * Deletes the project with its originals and images (the schema cascades) and answers the
     * storage keys they held, for the caller to queue for deletion in the same transaction.
     */
    public static Optional<List<String>> delete(Connection c, UUID id, UUID userId) throws SQLException {
        if (findOwned(c, id, userId).isEmpty()) return Optional.empty();
        List<Image> images = ImageRepository.lockForDelete(c, "project_id", id);
        ImageRepository.refundUnstarted(c, images);
        List<String> keys = new java.util.ArrayList<>(Sql.list(c, "SELECT s3_key FROM originals WHERE project_id = ?",
                rs -> rs.getString("s3_key"), id));
        keys.addAll(ImageRepository.stagedKeys(images));
        Sql.update(c, "DELETE FROM projects WHERE id = ? AND user_id = ?", id, userId);
        return Optional.of(keys);
    }

    /** Newest first; {@code after} is the last row of the previous page, or null. */
    public static List<Project> listOwned(Connection c, UUID userId, Cursor after, int limit) throws SQLException {
        if (after == null) {
            return Sql.list(c, """
                    SELECT * FROM projects WHERE user_id = ?
                    ORDER BY created_at DESC, id DESC LIMIT ?""", ProjectRepository::map, userId, limit);
        }
        return Sql.list(c, """
                SELECT * FROM projects WHERE user_id = ? AND (created_at, id) < (?, ?)
                ORDER BY created_at DESC, id DESC LIMIT ?""",
                ProjectRepository::map, userId, after.createdAt(), after.id(), limit);
    }

    static Project map(ResultSet rs) throws SQLException {
        return new Project(Sql.uuid(rs, "id"), Sql.uuid(rs, "user_id"), rs.getString("name"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
