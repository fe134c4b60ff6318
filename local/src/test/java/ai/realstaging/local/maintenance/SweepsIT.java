// integration: real PostgreSQL (a database of its own: the sweeps work on every row), the in-JVM S3 and SQS emulators
package ai.realstaging.local.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.queue.QueueMessage;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.storage.StorageDeletions;
import ai.realstaging.common.testing.Concurrently;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import ai.realstaging.common.testing.TestImages;
import ai.realstaging.maintenance.Sweeps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SweepsIT {
    private static final TestDatabase DB = TestDatabase.isolated();
    private static final byte[] PHOTO = TestImages.jpeg(64, 48);

    private AwsEmulators aws;
    private TestUser user;
    private UUID project;

    @BeforeEach
    void setUp() {
        // The sweeps act on every row: each test starts from an empty database of its own.
        DB.update("DELETE FROM users");
        DB.update("DELETE FROM storage_deletions");
        aws = new AwsEmulators();
        user = DB.createUser();
        DB.setPlan(user.id(), "pro");
        project = DB.createProject(user.id(), "4 Quay Street");
    }

    @AfterEach
    void tearDown() {
        aws.close();
    }

    /** Wired from configuration as the deployed function is; at most three claims before a stuck image fails. */
    private Sweeps sweeps() {
        Map<String, String> settings = new HashMap<>(aws.settings());
        settings.put("DATABASE_URL", DB.databaseUrlSetting());
        settings.put("MAINTENANCE_STUCK_MAX_ATTEMPTS", "3");
        return Sweeps.create(Config.of(settings));
    }

    // ---- rows as the other functions leave them ----

    private TestDatabase.Upload awaiting(String... styles) {
        return DB.createUpload(user.id(), project, "living room.jpg", "image/jpeg", PHOTO.length, "living_room",
                List.of(styles));
    }

    /** As if the upload had been started 15 minutes before its URL expired {@code ago}. */
    private void uploadExpiredAgo(TestDatabase.Upload upload, Duration ago) {
        Instant expired = Instant.now().minus(ago);
        Instant started = expired.minus(Duration.ofMinutes(15));
        DB.update("UPDATE originals SET upload_expires_at = ?, created_at = ?, updated_at = ? WHERE id = ?",
                expired, started, started, upload.original().id());
    }

    /** Verified, its images queued (a stage message may or may not have gone out). */
    private TestDatabase.Upload queued(String... styles) {
        TestDatabase.Upload upload = awaiting(styles);
        DB.withConnection(c -> {
            OriginalRepository.markUploaded(c, upload.original().id(), 64, 48);
            return ImageRepository.queueAwaiting(c, upload.original().id());
        });
        return upload;
    }

    private void queuedAgo(UUID image, Duration ago) {
        DB.update("UPDATE images SET updated_at = ? WHERE id = ?", Instant.now().minus(ago), image);
    }

    /** Claimed by a worker (which may then die, leaving its lease to run out). */
    private Image claim(UUID image) {
        return DB.withConnection(c -> ImageRepository.claim(c, image, Instant.now().plusSeconds(330))).orElseThrow();
    }

    private void leaseRanOutAgo(UUID image, Duration ago) {
        DB.update("UPDATE images SET lease_until = ? WHERE id = ?", Instant.now().minus(ago), image);
    }

    private String status(UUID image) {
        return DB.queryString("SELECT status FROM images WHERE id = ?", image);
    }

    private String originalStatus(TestDatabase.Upload upload) {
        return DB.queryString("SELECT status FROM originals WHERE id = ?", upload.original().id());
    }

    private int used() {
        return DB.withConnection(c -> Quota.usage(c, user.id(), Instant.now()).used());
    }

    /** The image ids of the stage messages now on the queue (each message once). */
    private List<UUID> stageMessages() {
        List<UUID> ids = new ArrayList<>();
        for (String body : aws.drain()) {
            if (QueueMessage.parse(body) instanceof QueueMessage.Stage stage) ids.add(stage.imageId());
        }
        return ids;
    }

    // ---- expired uploads ----

    @Test
    void anAbandonedUploadExpiresOnlyAfterTheGraceAndGivesItsQuotaBack() {
        TestDatabase.Upload upload = awaiting("modern", "scandinavian");
        assertThat(used()).isEqualTo(2);
        Sweeps sweeps = sweeps();

        uploadExpiredAgo(upload, Duration.ofMinutes(4));
        assertThat(sweeps.run(Instant.now()).uploadsExpired()).isZero();
        assertThat(originalStatus(upload)).isEqualTo("awaiting_upload");
        assertThat(used()).isEqualTo(2);

        uploadExpiredAgo(upload, Duration.ofMinutes(6));
        Sweeps.Summary summary = sweeps.run(Instant.now());

        assertThat(summary.ok()).isTrue();
        assertThat(summary.uploadsExpired()).isEqualTo(1);
        assertThat(summary.imagesExpired()).isEqualTo(2);
        assertThat(originalStatus(upload)).isEqualTo("expired");
        for (Image image : upload.images()) {
            assertThat(status(image.id())).isEqualTo("failed");
            assertThat(DB.queryString("SELECT error_code FROM images WHERE id = ?", image.id())).isEqualTo("upload_expired");
            assertThat(DB.queryString("SELECT error_message FROM images WHERE id = ?", image.id()))
                    .contains("not uploaded").doesNotContain("_");
        }
        assertThat(used()).isZero();
        // A late PUT might have landed: the key is deleted, once, and nothing is left queued.
        assertThat(aws.deleteRequestsFor(upload.original().s3Key())).isEqualTo(1);
        assertThat(DB.queryLong("SELECT count(*) FROM storage_deletions")).isZero();

        assertThat(sweeps.run(Instant.now()).uploadsExpired()).as("a second run finds nothing").isZero();
        assertThat(used()).isZero();
    }

    @Test
    void anUploadThatArrivedButWasNeverVerifiedIsAnnouncedAgainInsteadOfExpired() {
        TestDatabase.Upload upload = awaiting("modern");
        aws.put(upload.original().s3Key(), PHOTO);
        uploadExpiredAgo(upload, Duration.ofMinutes(6));
        Sweeps sweeps = sweeps();

        Sweeps.Summary summary = sweeps.run(Instant.now());

        assertThat(summary.uploadsExpired()).isZero();
        assertThat(summary.uploadsRenotified()).isEqualTo(1);
        assertThat(originalStatus(upload)).isEqualTo("awaiting_upload");
        assertThat(used()).isEqualTo(1);
        assertThat(aws.exists(upload.original().s3Key())).isTrue();
        List<String> notices = aws.drain();
        assertThat(notices).singleElement().satisfies(body -> assertThat(QueueMessage.parse(body)).isEqualTo(
                new QueueMessage.ObjectsCreated(List.of(new QueueMessage.CreatedObject(AwsEmulators.BUCKET,
                        upload.original().s3Key(), PHOTO.length)))));

        // Announced once per resend interval, not on every run.
        assertThat(sweeps.run(Instant.now()).uploadsRenotified()).isZero();
        assertThat(aws.drain()).isEmpty();
        DB.update("UPDATE originals SET updated_at = ? WHERE id = ?", Instant.now().minus(Duration.ofMinutes(21)),
                upload.original().id());
        assertThat(sweeps.run(Instant.now()).uploadsRenotified()).isEqualTo(1);
        assertThat(aws.drain()).hasSize(1);
    }

    @Test
    void whenS3CannotSayWhetherTheUploadArrivedNothingExpiresAndTheOtherSweepsStillRun() {
        TestDatabase.Upload abandoned = awaiting("modern");
        uploadExpiredAgo(abandoned, Duration.ofMinutes(6));
        UUID stuck = queued("coastal").image().id();
        claim(stuck);
        leaseRanOutAgo(stuck, Duration.ofMinutes(36));
        try (OfflineAws offline = new OfflineAws()) {
            Sweeps sweeps = new Sweeps(DB.newDatabase(), offline.storage(AwsEmulators.BUCKET),
                    new StagingQueue(aws.sqsClient, aws.queueUrl), Sweeps.Settings.from(Config.of(Map.of())), "us-east-1");

            Sweeps.Summary summary = sweeps.run(Instant.now());

            assertThat(summary.failed()).containsExactly("expired_uploads");
            assertThat(originalStatus(abandoned)).isEqualTo("awaiting_upload");
            assertThat(summary.imagesRequeued()).isEqualTo(1);
            assertThat(stageMessages()).containsExactly(stuck);
        }
    }

    // ---- stuck processing ----

    @Test
    void aStuckImageIsRequeuedKeepingItsPredictionThenFailedWithItsQuotaReleased() {
        UUID image = queued("industrial").image().id();
        Sweeps sweeps = sweeps();
        claim(image);
        DB.withConnection(c -> {
            ImageRepository.recordPrediction(c, image, "qwen-image-edit", "pred-abc123");
            return null;
        });

        leaseRanOutAgo(image, Duration.ofMinutes(30));
        assertThat(sweeps.run(Instant.now()).imagesRequeued()).as("the queue's own redelivery comes first").isZero();
        assertThat(status(image)).isEqualTo("processing");

        leaseRanOutAgo(image, Duration.ofMinutes(36));
        assertThat(sweeps.run(Instant.now()).imagesRequeued()).isEqualTo(1);
        assertThat(status(image)).isEqualTo("queued");
        assertThat(DB.queryString("SELECT prediction_id FROM images WHERE id = ?", image)).isEqualTo("pred-abc123");
        assertThat(stageMessages()).containsExactly(image);

        // The re-queued image is claimed (second claim) by a worker that dies too: re-queued again.
        assertThat(claim(image).attempts()).isEqualTo(2);
        leaseRanOutAgo(image, Duration.ofMinutes(36));
        assertThat(sweeps.run(Instant.now()).imagesRequeued()).isEqualTo(1);
        assertThat(stageMessages()).containsExactly(image);

        // Third claim, third death: that is the limit, so it fails and its unit comes back.
        assertThat(claim(image).attempts()).isEqualTo(3);
        leaseRanOutAgo(image, Duration.ofMinutes(36));
        assertThat(used()).isEqualTo(1);
        Sweeps.Summary summary = sweeps.run(Instant.now());

        assertThat(summary.imagesRequeued()).isZero();
        assertThat(summary.imagesTimedOut()).isEqualTo(1);
        assertThat(status(image)).isEqualTo("failed");
        assertThat(DB.queryString("SELECT error_code FROM images WHERE id = ?", image)).isEqualTo("staging_timed_out");
        assertThat(DB.queryString("SELECT lease_until FROM images WHERE id = ?", image)).isNull();
        assertThat(used()).isZero();
        assertThat(stageMessages()).isEmpty();
        assertThat(sweeps.run(Instant.now()).imagesTimedOut()).isZero();
    }

    @Test
    void anImageAWorkerIsStagingIsLeftAlone() {
        UUID image = queued("luxury").image().id();
        claim(image);
        DB.update("UPDATE images SET updated_at = ? WHERE id = ?", Instant.now().minus(Duration.ofHours(2)), image);

        Sweeps.Summary summary = sweeps().run(Instant.now());

        assertThat(summary.imagesRequeued()).isZero();
        assertThat(summary.messagesResent()).isZero();
        assertThat(status(image)).isEqualTo("processing");
        assertThat(stageMessages()).isEmpty();
    }

    // ---- lost stage messages ----

    @Test
    void aQueuedImageWhoseMessageWasLostGetsOneAfterTheThresholdOnce() {
        UUID image = queued("minimalist").image().id();
        Sweeps sweeps = sweeps();

        queuedAgo(image, Duration.ofMinutes(10));
        assertThat(sweeps.run(Instant.now()).messagesResent()).as("a delayed retry may still come").isZero();
        assertThat(stageMessages()).isEmpty();

        queuedAgo(image, Duration.ofMinutes(21));
        assertThat(sweeps.run(Instant.now()).messagesResent()).isEqualTo(1);
        assertThat(stageMessages()).containsExactly(image);
        assertThat(status(image)).isEqualTo("queued");

        assertThat(sweeps.run(Instant.now()).messagesResent()).as("sent again only after another wait").isZero();
        assertThat(stageMessages()).isEmpty();
    }

    // ---- storage deletions ----

    @Test
    void aFailedStorageDeleteIsRetriedAndTheFileGoes() {
        String key = "staged/" + user.id() + "/" + UUID.randomUUID() + ".jpg";
        aws.put(key, PHOTO);
        Database database = DB.newDatabase();
        database.transaction(c -> {
            StorageDeletions.enqueue(c, List.of(key));
            return null;
        });
        try (OfflineAws offline = new OfflineAws()) {
            assertThat(new StorageDeletions(database, offline.storage(AwsEmulators.BUCKET))
                    .deleteNow(List.of(key), Instant.now()).remaining()).isEqualTo(1);
        }
        Sweeps sweeps = sweeps();

        Sweeps.Summary early = sweeps.run(Instant.now());
        assertThat(early.filesDeleted()).as("before its back-off has passed").isZero();
        assertThat(aws.exists(key)).isTrue();

        DB.update("UPDATE storage_deletions SET next_attempt_at = now() - interval '1 second' WHERE s3_key = ?", key);
        Sweeps.Summary summary = sweeps.run(Instant.now());

        assertThat(summary.filesDeleted()).isEqualTo(1);
        assertThat(summary.filesPending()).isZero();
        assertThat(aws.exists(key)).isFalse();
        assertThat(DB.queryLong("SELECT count(*) FROM storage_deletions")).isZero();
    }

    // ---- two runs at once ----

    @Test
    void twoOverlappingSweepsDoEachThingOnce() {
        int n = 8;
        List<TestDatabase.Upload> abandoned = IntStream.range(0, n).mapToObj(i -> awaiting("modern")).toList();
        abandoned.forEach(u -> uploadExpiredAgo(u, Duration.ofMinutes(6)));
        List<UUID> stuck = IntStream.range(0, n).mapToObj(i -> queued("farmhouse").image().id()).toList();
        stuck.forEach(id -> {
            claim(id);
            leaseRanOutAgo(id, Duration.ofMinutes(36));
        });
        List<UUID> unsent = IntStream.range(0, n).mapToObj(i -> queued("coastal").image().id()).toList();
        unsent.forEach(id -> queuedAgo(id, Duration.ofMinutes(21)));
        List<String> files = IntStream.range(0, n).mapToObj(i -> "staged/" + user.id() + "/" + UUID.randomUUID() + ".png")
                .toList();
        files.forEach(key -> aws.put(key, PHOTO));
        DB.withConnection(c -> {
            StorageDeletions.enqueue(c, files);
            return null;
        });
        DB.update("UPDATE storage_deletions SET next_attempt_at = now() - interval '1 second'");
        int usedBefore = used();
        List<Sweeps> runs = List.of(sweeps(), sweeps());

        var outcomes = Concurrently.run(2, i -> runs.get(i).run(Instant.now()));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
        List<Sweeps.Summary> summaries = outcomes.stream().map(Concurrently.Outcome::value).toList();
        assertThat(summaries).allSatisfy(s -> assertThat(s.ok()).isTrue());
        assertThat(summaries.stream().mapToInt(Sweeps.Summary::uploadsExpired).sum()).isEqualTo(n);
        assertThat(summaries.stream().mapToInt(Sweeps.Summary::imagesRequeued).sum()).isEqualTo(n);
        assertThat(summaries.stream().mapToInt(Sweeps.Summary::messagesResent).sum()).isEqualTo(n);
        assertThat(summaries.stream().mapToInt(Sweeps.Summary::filesDeleted).sum()).isEqualTo(n);

        List<UUID> expected = new ArrayList<>(stuck);
        expected.addAll(unsent);
        assertThat(stageMessages()).as("one stage message per image").containsExactlyInAnyOrderElementsOf(expected);
        for (String key : files) {
            assertThat(aws.deleteRequestsFor(key)).as(key).isEqualTo(1);
            assertThat(aws.exists(key)).isFalse();
        }
        for (TestDatabase.Upload upload : abandoned) {
            assertThat(aws.deleteRequestsFor(upload.original().s3Key())).isEqualTo(1);
            assertThat(originalStatus(upload)).isEqualTo("expired");
        }
        assertThat(used()).isEqualTo(usedBefore - n);
        assertThat(DB.queryLong("SELECT count(*) FROM usage_reservations WHERE status = 'released'")).isEqualTo(n);
    }

    @Test
    void aWorkerClaimingAStuckImageWhileASweepRescuesItClaimsItOnce() {
        // Whichever comes first, the other finds nothing to do (or, the claim, a queued image to take).
        UUID image = queued("traditional").image().id();
        claim(image);
        leaseRanOutAgo(image, Duration.ofMinutes(36));
        Sweeps sweeps = sweeps();
        Database worker = new Database(ConnectionFactory.plain(DB.url()));

        var outcomes = Concurrently.run(2, i -> i == 0
                ? sweeps.run(Instant.now())
                : worker.transaction(c -> ImageRepository.claim(c, image, Instant.now().plusSeconds(330))));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
        assertThat(status(image)).isEqualTo("processing");
        assertThat(DB.queryLong("SELECT attempts FROM images WHERE id = ?", image)).isEqualTo(2);
        assertThat(DB.queryString("SELECT lease_until > now() FROM images WHERE id = ?", image)).isEqualTo("t");
    }
}
