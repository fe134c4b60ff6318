package ai.realstaging.stageimage;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.observability.Observability;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.staging.ImageFormat;
import ai.realstaging.common.staging.Prediction;
import ai.realstaging.common.staging.Prompts;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.staging.ReplicateException;
import ai.realstaging.common.staging.StagingModel;
import ai.realstaging.common.storage.ObjectKeys;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.storage.StorageDeletions;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages one image: claims it, runs the model (resuming a recorded prediction rather than paying
 * for a second one), copies the output into our bucket and marks it ready, or fails it with a
 * reason the user can read and gives its quota back.
 */
final class Stager {
    private static final Logger LOG = LoggerFactory.getLogger(Stager.class);
    /** Kept free at the end of an invocation for copying the output and recording the result. */
    private static final Duration FINISH_MARGIN = Duration.ofSeconds(20);
    static final long MAX_OUTPUT_BYTES = 50L * 1024 * 1024;

    /** Tunables, from configuration. */
    record Settings(Duration lease, int maxReceives, Duration pollInterval, Duration photoUrlTtl, int createWaitSeconds) {}

    private final Database db;
    private final Storage storage;
    private final ReplicateClient replicate;
    private final StagingModel model;
    private final Settings settings;
    private final StagingQueue queue;

    Stager(Database db, Storage storage, StagingQueue queue, ReplicateClient replicate, StagingModel model,
           Settings settings) {
        this.db = db;
        this.storage = storage;
        this.queue = queue;
        this.replicate = replicate;
        this.model = model;
        this.settings = settings;
    }

    Outcome stage(UUID imageId, int receiveCount, Deadline deadline) {
        long started = System.nanoTime();
        Optional<Image> claimed = db.transaction(c -> ImageRepository.claim(c, imageId, Instant.now().plus(settings.lease())));
        if (claimed.isEmpty()) {
            return unclaimable(imageId);
        }
        Image image = claimed.get();
        try {
            Original original = db.read(c -> OriginalRepository.find(c, image.originalId())).orElseThrow();
            Prediction prediction = image.predictionId() != null
                    ? replicate.get(image.predictionId())
                    : create(image, original, deadline);
            while (!prediction.terminal()) {
                if (deadline.remaining().compareTo(FINISH_MARGIN.plus(settings.pollInterval())) < 0) {
                    return later(image, receiveCount, "model still running at the end of the invocation");
                }
                Thread.sleep(settings.pollInterval());
                prediction = replicate.get(prediction.id());
            }
            if (!prediction.succeeded()) {
                LOG.warn("image {} prediction {} ended {}: {}", image.id(), prediction.id(), prediction.status(),
                        withoutQueries(prediction.error()));
                return fail(image, "model_failed", "The AI model could not stage this photo. Retry it, or try "
                        + "another style or photo.");
            }
            URI output = model.output(prediction.output()).orElse(null);
            if (output == null) {
                return fail(image, "model_no_output", "The AI model returned no image. Retry it, or try another style.");
            }
            if (deadline.remaining().compareTo(FINISH_MARGIN) < 0) {
                // The prediction id is recorded: the next delivery copies the output without paying again.
                return later(image, receiveCount, "no time left to copy the output");
            }
            byte[] bytes = download(output);
            Optional<ImageFormat> format = ImageFormat.sniff(bytes);
            if (format.isEmpty()) {
                return fail(image, "model_bad_output", "The AI model returned something that is not an image.");
            }
            String key = ObjectKeys.staged(image.userId(), image.id(), format.get().extension());
            storage.put(key, bytes, format.get().contentType());
            int totalMs = (int) ((System.nanoTime() - started) / 1_000_000);
            Integer modelMs = prediction.predictTimeSeconds() == null ? null
                    : (int) Math.round(prediction.predictTimeSeconds() * 1000);
            BigDecimal cost = model.pricePerImageUsd();
            db.transaction(c -> {
                if (ImageRepository.markReady(c, image.id(), key, format.get().contentType(), cost, modelMs, totalMs)
                        .isPresent()) {
                    Quota.consume(c, image.id());
                } else if (ImageRepository.find(c, image.id()).isEmpty()) {
                    // Deleted while the model ran: the file just written belongs to no one.
                    StorageDeletions.enqueue(c, List.of(key));
                }
                return null;
            });
            Observability.count("ImagesStaged", 1);
            Observability.millis("StagingDuration", totalMs);
            LOG.info("image {} ready: model {} prediction {} in {} ms", image.id(), model.id(), prediction.id(), totalMs);
            return Outcome.ACK;
        } catch (ReplicateException e) {
            return switch (e.kind()) {
                case PERMANENT -> {
                    LOG.warn("image {}: Replicate refused the request ({})", image.id(), e.status());
                    yield fail(image, "model_rejected", "The AI model refused this photo or these settings.");
                }
                case TRANSIENT, UNCERTAIN -> retryOrFail(image, receiveCount, e.retryAfter(), e.getMessage());
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return retryOrFail(image, receiveCount, null, "interrupted");
        } catch (IOException | RuntimeException e) {
            // Storage, database, or an answer we could not read: the same delivery rules as any transient failure.
            return retryOrFail(image, receiveCount, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Nothing to claim: finished, failed or deleted (acknowledge), or still held by another
     * delivery's lease — then this message waits for the lease instead of being dropped, since
     * that holder may have given up without releasing it.
     */
    private Outcome unclaimable(UUID imageId) {
        Optional<Image> image = db.read(c -> ImageRepository.find(c, imageId));
        if (image.isPresent() && image.get().status() == ai.realstaging.common.model.ImageStatus.PROCESSING
                && image.get().leaseUntil() != null) {
            long wait = Duration.between(Instant.now(), image.get().leaseUntil()).toSeconds() + 1;
            return new Outcome.Retry((int) Math.max(1, Math.min(900, wait)), "image is claimed by another delivery");
        }
        LOG.info("image {} has nothing to claim; acknowledging", imageId);
        return Outcome.ACK;
    }

    /**
     * The model is still running, or time ran out: come back soon. On the last delivery before the
     * dead-letter queue a fresh message takes over instead, so a paid run is never abandoned.
     */
    private Outcome later(Image image, int receiveCount, String why) {
        release(image);
        if (receiveCount >= settings.maxReceives()) {
            queue.sendStageLater(image.id(), 10);
            LOG.info("image {}: {}; handed to a fresh message on delivery {}", image.id(), why, receiveCount);
            return Outcome.ACK;
        }
        return new Outcome.Retry(5, why);
    }

    /** Presigned URLs can appear in vendor error text; their query strings are credentials. */
    static String withoutQueries(String text) {
        return text == null ? null : text.replaceAll("(https?://[^\\s?\"']+)\\?[^\\s\"']*", "$1?…");
    }

    private Prediction create(Image image, Original original, Deadline deadline) throws ReplicateException {
        URI photo = URI.create(storage.presignDownload(original.s3Key(), settings.photoUrlTtl(), null).url());
        String prompt = Prompts.compose(image.roomType(), image.style(), image.mode(), image.prompt());
        // The deadline makes Replicate stop (and stop charging) a run nobody will wait for.
        Duration cancelAfter = settings.lease().plus(Duration.ofMinutes(5));
        // Sync mode waits at most a second: the id is stored before any real waiting, so a
        // redelivery resumes this prediction rather than paying for another one.
        Prediction prediction = replicate.create(model.replicateModel(), model.input(photo, prompt, image.seed()),
                settings.createWaitSeconds(), cancelAfter);
        try {
            db.transaction(c -> {
                ImageRepository.recordPrediction(c, image.id(), model.id(), prediction.id());
                return null;
            });
        } catch (RuntimeException e) {
            // Unrecorded, the next delivery would create (and pay for) a second run: stop this one.
            try {
                replicate.cancel(prediction.id());
            } catch (ReplicateException cancelFailed) {
                LOG.error("image {}: prediction {} could not be recorded nor canceled", image.id(), prediction.id());
            }
            throw e;
        }
        return prediction;
    }

    private byte[] download(URI output) throws ReplicateException, IOException {
        try (InputStream in = replicate.download(output).body()) {
            byte[] bytes = in.readNBytes((int) MAX_OUTPUT_BYTES + 1);
            if (bytes.length > MAX_OUTPUT_BYTES) {
                throw new ReplicateException(ReplicateException.Kind.PERMANENT, 0, "output larger than "
                        + MAX_OUTPUT_BYTES + " bytes", null, null);
            }
            return bytes;
        }
    }

    /** A transient failure: retried through the queue, except on the last delivery before the DLQ. */
    private Outcome retryOrFail(Image image, int receiveCount, Duration retryAfter, String why) {
        if (receiveCount >= settings.maxReceives()) {
            LOG.error("image {} failed on its last delivery ({}): {}", image.id(), receiveCount, why);
            return fail(image, "staging_unavailable", "Staging is unavailable right now. Retry this image later.");
        }
        LOG.warn("image {} will be retried (delivery {}): {}", image.id(), receiveCount, why);
        release(image);
        int seconds = retryAfter == null ? Math.min(60, 5 * receiveCount) : (int) Math.min(900, retryAfter.toSeconds());
        return new Outcome.Retry(seconds, why);
    }

    private Outcome fail(Image image, String code, String message) {
        db.transaction(c -> {
            if (ImageRepository.markFailed(c, image.id(), code, message).isPresent()) {
                Quota.release(c, image.id());
            }
            return null;
        });
        Observability.count("ImagesFailed", 1);
        return Outcome.ACK;
    }

    private void release(Image image) {
        try {
            db.transaction(c -> {
                ImageRepository.releaseLease(c, image.id());
                return null;
            });
        } catch (DatabaseException e) {
            // The lease then simply runs out; the retry waits for it.
            LOG.warn("could not release the claim on image {}", image.id());
        }
    }
}
