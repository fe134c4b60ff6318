package ai.realstaging.stageimage;

import ai.realstaging.common.api.Views;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.config.Secret;
import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.queue.QueueMessage;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.realtime.Publisher;
import ai.realstaging.common.realtime.StatusUpdates;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSelection;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.staging.StagingModel;
import ai.realstaging.common.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/** Routes each staging-queue message to upload verification or to staging one image. */
final class StagingPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(StagingPipeline.class);

    private final UploadVerifier uploads;
    private final Stager stager;
    private final StagingQueue queue;

    StagingPipeline(UploadVerifier uploads, Stager stager, StagingQueue queue) {
        this.uploads = uploads;
        this.stager = stager;
        this.queue = queue;
    }

    static StagingPipeline create(Config config) {
        StagingModel fallback = model(config);
        AwsClients aws = new AwsClients(config);
        Database db = new Database(ConnectionFactory.fromConfig(config));
        Storage storage = new Storage(aws::s3, aws.presigner(), config.require("BUCKET_NAME"));
        StagingQueue queue = new StagingQueue(aws.sqs(), config.require("STAGING_QUEUE_URL"));
        ReplicateClient replicate = new ReplicateClient(ReplicateClient.defaultHttpClient(),
                URI.create(config.get("REPLICATE_BASE_URL", "https://api.replicate.com")),
                Secret.of(config, "REPLICATE_API_TOKEN", aws));
        Stager.Settings settings = new Stager.Settings(
                config.getSeconds("STAGE_LEASE_SECONDS", Duration.ofSeconds(330)),
                config.getInt("STAGE_MAX_RECEIVES", 5),
                Duration.ofMillis(config.getInt("STAGE_POLL_MILLIS", 1000)),
                Duration.ofMinutes(30),
                config.getInt("STAGE_CREATE_WAIT_SECONDS", 1));
        StatusUpdates updates = new StatusUpdates(db, new Views(storage), Publisher.fromConfig(config, db, aws));
        return new StagingPipeline(new UploadVerifier(db, storage, queue, updates),
                new Stager(db, storage, queue, replicate,
                        new ModelSelection(new ModelRegistry(), fallback, SecretBox.fromConfig(config, aws)), settings,
                        updates), queue);
    }

    /**
     * The model that runs while no admin has chosen one (STAGING_MODEL), checked first so a typo
     * fails INIT before any client is built. An admin's choice in the database overrides it per job.
     */
    static StagingModel model(Config config) {
        return new ModelRegistry().configuredDefault(config.get("STAGING_MODEL", ModelRegistry.DEFAULT_ID).trim());
    }

    Outcome process(String body, int receiveCount, Deadline deadline) {
        return switch (QueueMessage.parse(body)) {
            case QueueMessage.S3TestEvent test -> Outcome.ACK;
            case QueueMessage.Unknown unknown -> {
                // It would fail the same way on every delivery; keeping it would only block the DLQ alarm.
                LOG.error("dropping a message we cannot read: {}", unknown.reason());
                yield Outcome.ACK;
            }
            case QueueMessage.ObjectsCreated created -> {
                try {
                    for (QueueMessage.CreatedObject object : created.objects()) {
                        uploads.onCreated(object);
                    }
                    yield Outcome.ACK;
                } catch (IOException | SdkException | DatabaseException | IllegalStateException e) {
                    LOG.warn("upload event will be retried: {}", e.toString());
                    yield new Outcome.Retry(Math.min(60, 5 * receiveCount), e.getClass().getSimpleName());
                }
            }
            case QueueMessage.Stage stage -> stager.stage(stage.imageId(), receiveCount, deadline);
        };
    }

    /** Shortens the wait before a retried message comes back; on failure the visibility timeout applies. */
    void retryIn(String receiptHandle, int seconds) {
        try {
            queue.retryIn(receiptHandle, seconds);
        } catch (SdkException e) {
            LOG.warn("could not shorten the retry delay: {}", e.getMessage());
        }
    }
}
