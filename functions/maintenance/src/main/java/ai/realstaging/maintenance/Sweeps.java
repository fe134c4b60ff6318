package ai.realstaging.maintenance;

import ai.realstaging.common.api.Views;
import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.observability.Observability;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.realtime.Publisher;
import ai.realstaging.common.realtime.StatusUpdates;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.storage.StorageDeletions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance sweeps: uploads that never arrived expire and give their quota back, images
 * stuck in processing are re-queued (or failed), queued images whose stage message was lost get
 * one again, and failed file deletions are retried. Each sweep is bounded, idempotent, runs in
 * its own transactions, and is safe when two runs overlap.
 */
public final class Sweeps {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeps.class);

    static final String UPLOAD_EXPIRED = "upload_expired";
    static final String UPLOAD_EXPIRED_MESSAGE = "The photo was not uploaded before its upload link expired. "
            + "Start the upload again.";
    static final String STAGING_TIMED_OUT = "staging_timed_out";
    static final String STAGING_TIMED_OUT_MESSAGE = "Staging this photo stopped responding and was given up. "
            + "Retry it, or try another photo.";

    /** Tunables, from configuration. */
    public record Settings(Duration uploadGrace, Duration stuckGrace, int stuckMaxAttempts, Duration resendAfter,
                           int limit) {
        /** Past the upload URL's expiry: S3's event for a last-second upload has time to arrive. */
        public static final Duration UPLOAD_GRACE = Duration.ofMinutes(5);
        /**
         * Past a lost lease: longer than the staging queue's visibility timeout (30 minutes), so the
         * queue's own redelivery of a crashed invocation's message always comes first.
         */
        public static final Duration STUCK_GRACE = Duration.ofMinutes(35);
        /** Two full rounds of deliveries (the queue's maxReceiveCount is 5) before a stuck image is failed. */
        public static final int STUCK_MAX_ATTEMPTS = 10;
        /** Longer than SQS's longest delay (15 minutes), so a delayed retry is not duplicated needlessly. */
        public static final Duration RESEND_AFTER = Duration.ofMinutes(20);
        public static final int LIMIT = 100;

        public static Settings from(Config config) {
            return new Settings(
                    config.getSeconds("MAINTENANCE_UPLOAD_GRACE_SECONDS", UPLOAD_GRACE),
                    config.getSeconds("MAINTENANCE_STUCK_GRACE_SECONDS", STUCK_GRACE),
                    config.getInt("MAINTENANCE_STUCK_MAX_ATTEMPTS", STUCK_MAX_ATTEMPTS),
                    config.getSeconds("MAINTENANCE_RESEND_AFTER_SECONDS", RESEND_AFTER),
                    config.getInt("MAINTENANCE_LIMIT", LIMIT));
        }
    }

    /** What one run did; {@code failed} names the sweeps that stopped on an error (the others still ran). */
    public record Summary(int uploadsExpired, int imagesExpired, int uploadsRenotified, int imagesRequeued,
                          int imagesTimedOut, int messagesResent, int filesDeleted, int filesPending,
                          List<String> failed, long millis) {
        public Summary {
            failed = List.copyOf(failed);
        }

        public boolean ok() {
            return failed.isEmpty();
        }
    }

    private record Expiry(int expired, int imagesFailed, int renotified) {}

    private record Rescue(int requeued, int timedOut, List<UUID> changed) {}

    private final Database db;
    private final Storage storage;
    private final StagingQueue queue;
    private final StorageDeletions deletions;
    private final Settings settings;
    private final String region;
    private final StatusUpdates updates;

    public Sweeps(Database db, Storage storage, StagingQueue queue, Settings settings, String region) {
        this(db, storage, queue, settings, region, StatusUpdates.disabled());
    }

    /** With {@code updates}, every status change a sweep commits is published to the owner. */
    public Sweeps(Database db, Storage storage, StagingQueue queue, Settings settings, String region,
                  StatusUpdates updates) {
        this.updates = updates;
        this.db = db;
        this.storage = storage;
        this.queue = queue;
        this.deletions = new StorageDeletions(db, storage);
        this.settings = settings;
        this.region = region;
    }

    /** Wired from configuration as the deployed function is. */
    public static Sweeps create(Config config) {
        AwsClients aws = new AwsClients(config);
        Storage storage = new Storage(aws::s3, aws.presigner(), config.require("BUCKET_NAME"));
        Database db = new Database(ConnectionFactory.fromConfig(config));
        return new Sweeps(db, storage, new StagingQueue(aws::sqs, config.require("STAGING_QUEUE_URL")),
                Settings.from(config), config.region(),
                new StatusUpdates(db, new Views(storage), Publisher.fromConfig(config, db, aws)));
    }

    /** Runs every sweep once; one that fails is reported and the others still run. */
    public Summary run(Instant now) {
        long started = System.nanoTime();
        List<String> failed = new ArrayList<>();
        Expiry expiry = sweep("expired_uploads", failed, () -> expireUploads(now), new Expiry(0, 0, 0));
        // Stuck images first: the ones it re-queues are sent there, and so are not "unsent" below.
        Rescue rescue = sweep("stuck_images", failed, () -> rescueStuck(now), new Rescue(0, 0, List.of()));
        int resent = sweep("unsent_messages", failed, () -> resendUnsent(now), 0);
        StorageDeletions.Result files = sweep("storage_deletions", failed,
                () -> deletions.retryDue(now, settings.limit()), new StorageDeletions.Result(0, 0));
        Summary summary = new Summary(expiry.expired(), expiry.imagesFailed(), expiry.renotified(), rescue.requeued(),
                rescue.timedOut(), resent, files.deleted(), files.remaining(), failed,
                (System.nanoTime() - started) / 1_000_000);
        record(summary);
        return summary;
    }

    /**
     * Originals still awaiting their upload past the URL's expiry plus the grace. When the file is
     * absent the original expires, its images fail and their quota is released, and the key is
     * deleted (a late PUT might still have landed). When the file is there, its S3 notification
     * was lost: it is announced again, so the upload is verified instead of wrongly expired.
     */
    private Expiry expireUploads(Instant now) {
        Instant cutoff = now.minus(settings.uploadGrace());
        List<SweepQueries.Awaiting> overdue = db.read(c -> SweepQueries.overdueUploads(c, cutoff,
                now.minus(settings.resendAfter()), settings.limit()));
        int expired = 0;
        int imagesFailed = 0;
        int renotified = 0;
        List<String> keys = new ArrayList<>();
        try {
            for (SweepQueries.Awaiting upload : overdue) {
                // Asked outside any transaction: no row stays locked while S3 answers. An S3 error stops
                // the sweep rather than expiring an upload that may well have arrived.
                Optional<Long> size = storage.sizeOf(upload.key());
                if (size.isPresent()) {
                    if (renotify(upload, size.get(), now)) renotified++;
                    continue;
                }
                Integer failedImages = db.transaction(c -> {
                    if (!SweepQueries.expire(c, upload.originalId(), cutoff, now)) {
                        return null; // verified meanwhile, or another sweep expired it
                    }
                    int failedHere = 0;
                    for (Image image : ImageRepository.listByOriginal(c, upload.originalId())) {
                        if (ImageRepository.markFailed(c, image.id(), UPLOAD_EXPIRED, UPLOAD_EXPIRED_MESSAGE).isPresent()) {
                            Quota.release(c, image.id());
                            failedHere++;
                        }
                    }
                    StorageDeletions.enqueue(c, List.of(upload.key()));
                    return failedHere;
                });
                if (failedImages != null) {
                    updates.originalWithImages(upload.originalId());
                    expired++;
                    imagesFailed += failedImages;
                    keys.add(upload.key());
                    LOG.info("original {} expired: no upload arrived; {} image(s) failed and refunded",
                            upload.originalId(), failedImages);
                }
            }
        } finally {
            // Whatever expired before an error still has its file deleted now (or queued for later).
            deletions.deleteNow(keys, now);
        }
        return new Expiry(expired, imagesFailed, renotified);
    }

    /** Sends the notice while the row is marked: a failed send rolls the mark back for the next run. */
    private boolean renotify(SweepQueries.Awaiting upload, long size, Instant now) {
        return db.transaction(c -> {
            if (!SweepQueries.markRenotified(c, upload.originalId(), now.minus(settings.resendAfter()), now)) {
                return false;
            }
            queue.sendUploadNotice(storage.bucket(), upload.key(), size, region, now);
            LOG.warn("original {}: the file arrived but was never verified; its upload notice was sent again",
                    upload.originalId());
            return true;
        });
    }

    /**
     * Images in processing whose lease ran out more than the grace ago: no delivery is coming
     * back for them (the queue's redelivery would have), say after their message was
     * dead-lettered. Re-queued while they have had fewer claims than the limit, failed (quota
     * released) after. The stage messages go out before the commit: a message that arrives early
     * waits on the row lock, and one sent for a rolled-back change still finds the image
     * claimable (its lease has run out), so nothing waits for a message that was never sent.
     */
    private Rescue rescueStuck(Instant now) {
        Instant cutoff = now.minus(settings.stuckGrace());
        Rescue rescue = db.transaction(c -> {
            List<UUID> requeued = new ArrayList<>();
            List<UUID> failedIds = new ArrayList<>();
            int timedOut = 0;
            for (SweepQueries.Stuck stuck : SweepQueries.lockStuck(c, cutoff, settings.limit())) {
                if (stuck.attempts() >= settings.stuckMaxAttempts()) {
                    if (ImageRepository.markFailed(c, stuck.imageId(), STAGING_TIMED_OUT, STAGING_TIMED_OUT_MESSAGE)
                            .isPresent()) {
                        Quota.release(c, stuck.imageId());
                        failedIds.add(stuck.imageId());
                        timedOut++;
                        LOG.warn("image {} failed: stuck in processing after {} claim(s)", stuck.imageId(),
                                stuck.attempts());
                    }
                } else if (SweepQueries.requeue(c, stuck.imageId(), now)) {
                    requeued.add(stuck.imageId());
                    LOG.warn("image {} re-queued: stuck in processing after {} claim(s)", stuck.imageId(),
                            stuck.attempts());
                }
            }
            queue.sendStage(requeued);
            List<UUID> changed = new ArrayList<>(requeued);
            changed.addAll(failedIds);
            return new Rescue(requeued.size(), timedOut, changed);
        });
        rescue.changed().forEach(updates::image);
        return rescue;
    }

    /**
     * The outbox re-send: images queued (and untouched) for longer than any delayed retry would
     * wait get their stage message again. A duplicate is harmless, since the claim is exactly-once.
     * Sent before the commit, so a failed send leaves them due for the next run.
     */
    private int resendUnsent(Instant now) {
        return db.transaction(c -> {
            List<UUID> unsent = SweepQueries.takeUnsent(c, now.minus(settings.resendAfter()), now, settings.limit());
            queue.sendStage(unsent);
            if (!unsent.isEmpty()) {
                LOG.warn("{} queued image(s) had waited more than {} s; their stage messages were sent again",
                        unsent.size(), settings.resendAfter().toSeconds());
            }
            return unsent.size();
        });
    }

    private static <T> T sweep(String name, List<String> failed, Supplier<T> work, T nothing) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            // The class name only: SDK and driver messages can carry endpoints and request details.
            LOG.error("maintenance sweep {} failed: {}", name, e.getClass().getName());
            failed.add(name);
            return nothing;
        }
    }

    private static void record(Summary s) {
        LOG.info("maintenance: uploads expired {} (images failed {}), uploads announced again {}, images re-queued {},"
                        + " images timed out {}, stage messages re-sent {}, files deleted {} (still queued {}),"
                        + " failed sweeps {}, {} ms",
                s.uploadsExpired(), s.imagesExpired(), s.uploadsRenotified(), s.imagesRequeued(), s.imagesTimedOut(),
                s.messagesResent(), s.filesDeleted(), s.filesPending(), s.failed(), s.millis());
        count("UploadsExpired", s.uploadsExpired());
        count("UploadsRenotified", s.uploadsRenotified());
        count("ImagesRequeued", s.imagesRequeued());
        count("ImagesTimedOut", s.imagesTimedOut());
        count("StageMessagesResent", s.messagesResent());
        count("StorageDeletesRetried", s.filesDeleted());
        count("MaintenanceSweepsFailed", s.failed().size());
    }

    private static void count(String metric, int value) {
        if (value > 0) Observability.count(metric, value);
    }
}
