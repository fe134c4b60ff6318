// integration: real PostgreSQL and the in-JVM S3 emulator; deleting files now, and later when S3 fails
package ai.realstaging.local.s3;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.db.Database;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.storage.StorageDeletions;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

class StorageDeletionsIT {
    private static final String BUCKET = "media";

    private final TestDatabase testDb = TestDatabase.shared();
    private final Database db = testDb.newDatabase();
    private final String prefix = "staged/" + UUID.randomUUID() + "/";
    private LocalS3 s3;
    private OfflineAws offline;

    @BeforeEach
    void setUp() {
        s3 = new LocalS3();
        s3.emulator.createBucket(BUCKET);
        offline = new OfflineAws();
    }

    @AfterEach
    void tearDown() throws Exception {
        s3.close();
        offline.close();
    }

    private Storage working() {
        return new Storage(s3.client(), s3.presigner(), BUCKET);
    }

    private void put(String key) {
        s3.client().putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString("bytes"));
    }

    private void enqueue(List<String> keys) {
        db.transaction(c -> {
            StorageDeletions.enqueue(c, keys);
            return null;
        });
    }

    private long queued() {
        return testDb.queryLong("SELECT count(*) FROM storage_deletions WHERE s3_key LIKE ?", prefix + "%");
    }

    @Test
    void deletesTheFilesAndForgetsTheKeysWhenS3Answers() {
        List<String> keys = List.of(prefix + "a.jpg", prefix + "b.png", prefix + "never-written.jpg");
        put(keys.get(0));
        put(keys.get(1));
        enqueue(keys);

        StorageDeletions.Result result = new StorageDeletions(db, working()).deleteNow(keys, Instant.now());

        assertThat(result).isEqualTo(new StorageDeletions.Result(3, 0));
        assertThat(s3.stored(BUCKET, keys.get(0))).isNull();
        assertThat(s3.stored(BUCKET, keys.get(1))).isNull();
        assertThat(queued()).isZero();
    }

    @Test
    void keepsKeysS3DidNotDeleteAndRetriesThemAfterTheBackOff() {
        List<String> keys = List.of(prefix + "a.jpg", prefix + "b.jpg");
        keys.forEach(this::put);
        enqueue(keys);
        Instant now = Instant.now();

        StorageDeletions.Result failed = new StorageDeletions(db, offline.storage(BUCKET)).deleteNow(keys, now);

        assertThat(failed).isEqualTo(new StorageDeletions.Result(0, 2));
        assertThat(queued()).isEqualTo(2);
        assertThat(testDb.queryLong("SELECT min(attempts) FROM storage_deletions WHERE s3_key LIKE ?", prefix + "%"))
                .isEqualTo(1);
        assertThat(testDb.queryString("SELECT min(last_error) FROM storage_deletions WHERE s3_key LIKE ?", prefix + "%"))
                .isNotBlank();
        assertThat(s3.stored(BUCKET, keys.get(0))).isNotNull();

        StorageDeletions sweep = new StorageDeletions(db, working());
        // Before the back-off has passed nothing of ours is due; after it, both go.
        sweep.retryDue(now.plusSeconds(30), 1000);
        assertThat(queued()).isEqualTo(2);
        sweep.retryDue(now.plus(Duration.ofMinutes(2)), 1000);
        assertThat(queued()).isZero();
        assertThat(s3.stored(BUCKET, keys.get(0))).isNull();
        assertThat(s3.stored(BUCKET, keys.get(1))).isNull();
    }

    @Test
    void aKeyQueuedTwiceIsOneDeletion() {
        String key = prefix + "twice.jpg";
        enqueue(List.of(key));
        enqueue(List.of(key));

        assertThat(queued()).isEqualTo(1);
    }
}
