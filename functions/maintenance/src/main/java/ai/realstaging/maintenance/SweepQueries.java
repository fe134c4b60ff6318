package ai.realstaging.maintenance;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The sweeps' SQL: finding overdue work and the conditional updates that take it, so two
 * overlapping sweeps (or a sweep and the staging function) never act on the same row twice.
 */
final class SweepQueries {
    private SweepQueries() {}

    /** An upload still expected: its original and where its file would be. */
    record Awaiting(UUID originalId, String key) {}

    /** An image in processing whose claim ran out, and how many claims it has had. */
    record Stuck(UUID imageId, int attempts) {}

    /**
     * Originals still awaiting their upload although the URL expired before {@code cutoff}, oldest
     * first; those announced again since {@code announcedBefore} are left to their notice, so they
     * do not crowd out the rest.
     */
    static List<Awaiting> overdueUploads(Connection c, Instant cutoff, Instant announcedBefore, int limit)
            throws SQLException {
        return Sql.list(c, """
                SELECT id, s3_key FROM originals
                WHERE status = 'awaiting_upload' AND upload_expires_at < ?
                  AND (updated_at <= upload_expires_at OR updated_at < ?)
                ORDER BY upload_expires_at LIMIT ?""",
                rs -> new Awaiting(Sql.uuid(rs, "id"), rs.getString("s3_key")), cutoff, announcedBefore, limit);
    }

    /** awaiting_upload → expired, only while it is still overdue; false when someone else changed it first. */
    static boolean expire(Connection c, UUID originalId, Instant cutoff, Instant now) throws SQLException {
        return Sql.update(c, """
                UPDATE originals SET status = 'expired', updated_at = ?
                WHERE id = ? AND status = 'awaiting_upload' AND upload_expires_at < ?""",
                now, originalId, cutoff) == 1;
    }

    /**
     * Marks an overdue original whose file did arrive as announced again at {@code now}, unless that
     * was done after {@code notBefore}; true when this call may send the notice.
     */
    static boolean markRenotified(Connection c, UUID originalId, Instant notBefore, Instant now) throws SQLException {
        return Sql.update(c, """
                UPDATE originals SET updated_at = ?
                WHERE id = ? AND status = 'awaiting_upload' AND updated_at < ?""",
                now, originalId, notBefore) == 1;
    }

    /**
     * Locks images in processing whose lease ran out before {@code cutoff} (or that hold none),
     * skipping rows another sweep or a claiming worker holds; oldest first.
     */
    static List<Stuck> lockStuck(Connection c, Instant cutoff, int limit) throws SQLException {
        return Sql.list(c, """
                SELECT id, attempts FROM images
                WHERE status = 'processing' AND COALESCE(lease_until, updated_at) < ?
                ORDER BY COALESCE(lease_until, updated_at) LIMIT ?
                FOR UPDATE SKIP LOCKED""",
                rs -> new Stuck(Sql.uuid(rs, "id"), rs.getInt("attempts")), cutoff, limit);
    }

    /**
     * processing → queued for a locked stuck image. The prediction id stays, so the next claim
     * resumes that prediction rather than paying for another.
     */
    static boolean requeue(Connection c, UUID imageId, Instant now) throws SQLException {
        return Sql.update(c, """
                UPDATE images SET status = 'queued', lease_until = NULL, queued_at = ?, updated_at = ?
                WHERE id = ? AND status = 'processing'""", now, now, imageId) == 1;
    }

    /**
     * Takes up to {@code limit} images queued (and untouched) since before {@code cutoff} and marks
     * them as sent at {@code now}; rows another sweep holds are skipped.
     */
    static List<UUID> takeUnsent(Connection c, Instant cutoff, Instant now, int limit) throws SQLException {
        return Sql.list(c, """
                UPDATE images SET updated_at = ?
                WHERE id IN (SELECT id FROM images WHERE status = 'queued' AND updated_at < ?
                             ORDER BY updated_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING id""", rs -> Sql.uuid(rs, "id"), now, cutoff, limit);
    }
}
