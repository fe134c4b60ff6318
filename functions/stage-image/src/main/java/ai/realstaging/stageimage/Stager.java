package ai.realstaging.stageimage;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.db.PredictionAttempts;
import ai.realstaging.common.db.ProfileRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.observability.Observability;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.realtime.StatusUpdates;
import ai.realstaging.common.staging.DisclosureLabel;
import ai.realstaging.common.staging.ImageFormat;
import ai.realstaging.common.staging.ModelSelection;
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
 * for a second one), copies the output into our bucket (with the "Virtually staged" label unless
 * the owner turned it off) and marks it ready, or fails it with a reason the user can read and
 * gives its quota back.
 */
final class Stager {
    private static final Logger LOG = LoggerFactory.getLogger(Stager.class);
    /** Kept free at the end of an invocation for copying the output and recording the result. */
    private static final Duration FINISH_MARGIN = Duration.ofSeconds(20);
    static final long MAX_OUTPUT_BYTES = 50L * 1024 * 1024;

    /** Tunables, from configuration. */
    record Settings(Duration lease, int maxReceives, Duration pollInterval, Duration photoUrlTtl, int createWaitSeconds) {
        /**
         * How long a lost create may still be in flight: the create call's own timeout (wait + 15 s,
         * see ReplicateClient) and a margin. Until then, not finding its prediction proves nothing.
         */
        Duration createSettle() {
            return Duration.ofSeconds(createWaitSeconds + 30L);
        }

        /** Pages of Replicate's prediction list (100 each) searched for a lost create's prediction. */
        int listPages() {
            return 10;
        }
    }

    /** Replicate's clock and the database's may differ; the search window opens this much earlier. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(2);

    private final Database db;
    private final Storage storage;
    private final ReplicateClient replicate;
    private final ModelSelection models;
    private final Settings settings;
    private final StagingQueue queue;
    private final StatusUpdates updates;

    Stager(Database db, Storage storage, StagingQueue queue, ReplicateClient replicate, ModelSelection models,
           Settings settings, StatusUpdates updates) {
        this.db = db;
        this.storage = storage;
        this.queue = queue;
        this.replicate = replicate;
        this.models = models;
        this.settings = settings;
        this.updates = updates;
    }

    /** A prediction and the model that runs it (its output parser and price). */
    private record Run(StagingModel model, Prediction prediction) {}

    Outcome stage(UUID imageId, int receiveCount, Deadline deadline) {
        long started = System.nanoTime();
        Optional<Image> claimed = db.transaction(c -> ImageRepository.claim(c, imageId, Instant.now().plus(settings.lease())));
        if (claimed.isEmpty()) {
            return unclaimable(imageId);
        }
        Image image = claimed.get();
        try {
            Original original = db.read(c -> OriginalRepository.find(c, image.originalId())).orElseThrow();
            updates.image(image, original);
            Run run = image.predictionId() != null
                    ? new Run(recorded(image.model()), replicate.get(image.predictionId()))
                    : start(image, original);
            StagingModel model = run.model();
            Prediction prediction = run.prediction();
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
            if (bytes == null) {
                return fail(image, "model_output_too_large", "The AI model returned a file larger than "
                        + MAX_OUTPUT_BYTES / (1024 * 1024) + " MB. Retry it, or try another style.");
            }
            Optional<ImageFormat> format = ImageFormat.sniff(bytes);
            if (format.isEmpty()) {
                return fail(image, "model_bad_output", "The AI model returned something that is not an image.");
            }
            byte[] stored = bytes;
            if (db.read(c -> ProfileRepository.preferences(c, image.userId())).disclosureLabelOn()) {
                try {
                    stored = DisclosureLabel.apply(bytes, format.get());
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warn("image {}: the {} output cannot be decoded to label it: {}", image.id(), format.get(),
                            e.getMessage());
                    return fail(image, "model_bad_output", "The AI model returned an image that cannot be read.");
                }
            }
            String key = ObjectKeys.staged(image.userId(), image.id(), format.get().extension());
            storage.put(key, stored, format.get().contentType());
            int totalMs = (int) ((System.nanoTime() - started) / 1_000_000);
            Integer modelMs = prediction.predictTimeSeconds() == null ? null
                    : (int) Math.round(prediction.predictTimeSeconds() * 1000);
            BigDecimal cost = model.pricePerImageUsd();
            Optional<Image> ready = db.transaction(c -> {
                Optional<Image> marked = ImageRepository.markReady(c, image.id(), key, format.get().contentType(), cost,
                        modelMs, totalMs);
                if (marked.isPresent()) {
                    Quota.consume(c, image.id());
                } else if (ImageRepository.find(c, image.id()).isEmpty()) {
                    // Deleted while the model ran: the file just written belongs to no one.
                    StorageDeletions.enqueue(c, List.of(key));
                }
                return marked;
            });
            ready.ifPresent(r -> updates.image(r, original));
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

    /** The model a recorded prediction was made with: its parser and price, whatever is active now. */
    private StagingModel recorded(String modelId) {
        return models.registry().byId(modelId).orElse(models.fallback());
    }

    /**
     * A job without a recorded prediction. If an earlier create's answer was lost, that prediction
     * may exist and be billed: it is looked for by the marker its photo URL carried and resumed.
     * Only when it is surely not there (not found, and no create can still be in flight) does a new
     * create go out: never two paid predictions for one image on a guess.
     */
    private Run start(Image image, Original original) throws ReplicateException {
        Optional<PredictionAttempts.Attempt> earlier = db.read(c -> PredictionAttempts.find(c, image.id()));
        if (earlier.isPresent()) {
            PredictionAttempts.Attempt attempt = earlier.get();
            Optional<Prediction> orphan = replicate.findByMarker(attempt.marker().toString(),
                    attempt.startedAt().minus(CLOCK_SKEW), settings.listPages());
            if (orphan.isPresent() && orphan.get().terminal() && !orphan.get().succeeded()) {
                // It definitively failed (or was canceled at its deadline): nothing of it can be used,
                // so this is the one case where a second prediction for the image is paid for.
                LOG.info("image {}: the lost create's prediction {} ended {}; creating again", image.id(),
                        orphan.get().id(), orphan.get().status());
                return create(image, original);
            }
            if (orphan.isPresent()) {
                LOG.info("image {}: found prediction {} of a create whose answer was lost; resuming it", image.id(),
                        orphan.get().id());
                record(image, attempt.model(), orphan.get());
                return new Run(recorded(attempt.model()), orphan.get());
            }
            if (attempt.untilSettled().isPositive()) {
                // The lost create may still be on its way: creating now could pay twice.
                throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "a create may still be in flight",
                        attempt.untilSettled().plusSeconds(1), null);
            }
            LOG.info("image {}: the create of {} made no prediction; creating again", image.id(), attempt.startedAt());
        }
        return create(image, original);
    }

    /** A new job: the model active now (an admin's switch applies from the next job on), with its settings. */
    private Run create(Image image, Original original) throws ReplicateException {
        ModelSelection.Selected selected = db.read(models::forNewJob);
        StagingModel model = selected.model();
        UUID marker = UUID.randomUUID();
        // Committed before the call: if its answer is lost, the next delivery knows what to look for.
        db.transaction(c -> PredictionAttempts.start(c, image.id(), marker, model.id(), settings.createSettle()));
        URI photo = URI.create(storage.presignModelInput(original.s3Key(), settings.photoUrlTtl(), marker.toString()).url());
        String prompt = Prompts.compose(image.roomType(), image.style(), image.mode(), image.prompt());
        // The deadline makes Replicate stop (and stop charging) a run nobody will wait for.
        Duration cancelAfter = settings.lease().plus(Duration.ofMinutes(5));
        Prediction prediction;
        try {
            // Sync mode waits at most a second: the id is stored before any real waiting, so a
            // redelivery resumes this prediction rather than paying for another one.
            prediction = replicate.create(model.replicateModel(), model.input(photo, prompt, image.seed(),
                    selected.settings()), settings.createWaitSeconds(), cancelAfter);
        } catch (ReplicateException e) {
            settle(image, e);
            throw e;
        }
        // If this fails, the attempt stays: the next delivery finds the prediction by its marker.
        record(image, model.id(), prediction);
        return new Run(model, prediction);
    }

    /**
     * After a failed create: a refusal (4xx, 429) created nothing, so the attempt goes; a 5xx
     * answer may have come after the prediction was made, so the next delivery looks for it first
     * (but need not wait); a lost answer keeps the attempt as it is.
     */
    private void settle(Image image, ReplicateException e) {
        try {
            db.transaction(c -> {
                if (e.kind() == ReplicateException.Kind.UNCERTAIN) return null;
                if (e.status() >= 500) PredictionAttempts.answered(c, image.id());
                else PredictionAttempts.clear(c, image.id());
                return null;
            });
        } catch (DatabaseException dbDown) {
            // The attempt stays as it was: at worst the next delivery searches and waits.
            LOG.warn("image {}: could not settle the create attempt", image.id());
        }
    }

    private void record(Image image, String modelId, Prediction prediction) {
        db.transaction(c -> {
            ImageRepository.recordPrediction(c, image.id(), modelId, prediction.id());
            PredictionAttempts.clear(c, image.id());
            return null;
        });
    }

    /** The output file, or null when it is larger than we store (read no further than that). */
    private byte[] download(URI output) throws ReplicateException, IOException {
        try (InputStream in = replicate.download(output).body()) {
            byte[] bytes = in.readNBytes((int) MAX_OUTPUT_BYTES + 1);
            return bytes.length > MAX_OUTPUT_BYTES ? null : bytes;
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
        updates.image(image.id());
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
