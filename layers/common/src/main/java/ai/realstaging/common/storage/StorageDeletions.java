package ai.realstaging.common.storage;

import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files whose rows were deleted. A key is queued in the transaction that deletes its row, deleted
 * from S3 right after commit, and left queued with a growing back-off when S3 fails, for the
 * maintenance sweep to retry: a failed call never orphans a file, and a rolled-back delete never
 * removes one.
 */
public final class StorageDeletions {
    private static final Logger LOG = LoggerFactory.getLogger(StorageDeletions.class);
    static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    static final Duration LONGEST_RETRY = Duration.ofHours(6);
    /** How long a sweep holds the keys it is retrying. */
    static final Duration CLAIM = Duration.ofMinutes(5);

    private final Database db;
    private final Storage storage;

    public StorageDeletions(Database db, Storage storage) {
        this.db = db;
        this.storage = storage;
    }

    /**
     * Queues keys for deletion; call it in the transaction that deletes their rows. The first
     * attempt belongs to {@link #deleteNow} after the commit: the sweep takes a key only when that
     * has not happened within {@link #FIRST_RETRY}, so it does not delete the same file alongside.
     */
    public static void enqueue(Connection c, Collection<String> keys) throws SQLException {
        Object[] present = keys.stream().filter(Objects::nonNull).toArray();
        if (present.length == 0) return;
        // One statement for a whole project's files, not one per file.
        Sql.update(c, """
                INSERT INTO storage_deletions (s3_key, next_attempt_at)
                SELECT k, now() + ? * interval '1 second' FROM unnest(?::text[]) AS k
                ON CONFLICT (s3_key) DO NOTHING""", FIRST_RETRY.toSeconds(), c.createArrayOf("text", present));
    }

    /** What one attempt did: keys deleted, keys still queued. */
    public record Result(int deleted, int remaining) {}

    /**
     * Deletes the keys now (after the deleting transaction committed). Never throws: the user's
     * delete has already succeeded, and whatever did not complete here stays queued for the sweep.
     */
    public Result deleteNow(Collection<String> keys, Instant now) {
        List<String> wanted = keys.stream().filter(Objects::nonNull).distinct().toList();
        if (wanted.isEmpty()) return new Result(0, 0);
        try {
            return attempt(wanted, now);
        } catch (RuntimeException e) {
            LOG.warn("Could not record the outcome of deleting {} files; the sweep will retry them: {}",
                    wanted.size(), e.getClass().getSimpleName());
            return new Result(0, wanted.size());
        }
    }

    /**
     * Retries up to {@code limit} keys whose back-off has passed; the maintenance sweep's step. The
     * keys are claimed first (their next attempt pushed past this one), so two overlapping sweeps
     * never work on the same key, and a sweep that dies mid-way leaves them due again soon.
     */
    public Result retryDue(Instant now, int limit) {
        List<String> due = db.transaction(c -> Sql.list(c, """
                UPDATE storage_deletions SET next_attempt_at = ?
                WHERE s3_key IN (SELECT s3_key FROM storage_deletions WHERE next_attempt_at <= ?
                                 ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING s3_key""", rs -> rs.getString("s3_key"), now.plus(CLAIM), now, limit));
        if (due.isEmpty()) return new Result(0, 0);
        return attempt(due, now);
    }

    private Result attempt(List<String> keys, Instant now) {
        Map<String, String> failed;
        try {
            failed = storage.deleteAll(keys);
        } catch (RuntimeException e) {
            // The class name only: an SDK message can carry the endpoint and request details.
            failed = new java.util.LinkedHashMap<>();
            String reason = e.getClass().getSimpleName();
            for (String key : keys) failed.put(key, reason);
        }
        Map<String, String> failures = failed;
        db.transaction(c -> {
            Object[] deleted = keys.stream().filter(k -> !failures.containsKey(k)).toArray();
            if (deleted.length > 0) {
                Sql.update(c, "DELETE FROM storage_deletions WHERE s3_key = ANY (?)", c.createArrayOf("text", deleted));
            }
            for (Map.Entry<String, String> failure : failures.entrySet()) {
                Sql.update(c, """
                        UPDATE storage_deletions SET attempts = attempts + 1, last_error = ?,
                               next_attempt_at = CAST(? AS timestamptz) + least(? * power(2, attempts), ?) * interval '1 second'
                        WHERE s3_key = ?""",
                        failure.getValue(), now, FIRST_RETRY.toSeconds(), LONGEST_RETRY.toSeconds(), failure.getKey());
            }
            return null;
        });
        return new Result(keys.size() - failures.size(), failures.size());
    }
}
