package ai.realstaging.common.queue;

import ai.realstaging.common.config.Lazy;
import ai.realstaging.common.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Sends our own "stage this image" messages to the staging queue, beside S3's upload events. */
public final class StagingQueue {
    public static final String STAGE = "stage";

    private final Supplier<SqsClient> client;
    private final String queueUrl;

    public StagingQueue(SqsClient sqs, String queueUrl) {
        this(() -> sqs, queueUrl);
    }

    /** The client is made on first send: a function that rarely sends never pays for building one. */
    public StagingQueue(Supplier<SqsClient> sqs, String queueUrl) {
        this.client = Lazy.of(sqs);
        this.queueUrl = queueUrl;
    }

    public static String stageMessage(UUID imageId) {
        return Json.write(Map.of("type", STAGE, "image_id", imageId.toString()));
    }

    /** Sends one message per image, ten per call; throws when any could not be sent, so the caller retries. */
    public void sendStage(List<UUID> imageIds) {
        for (int from = 0; from < imageIds.size(); from += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (UUID id : imageIds.subList(from, Math.min(imageIds.size(), from + 10))) {
                entries.add(SendMessageBatchRequestEntry.builder().id(id.toString()).messageBody(stageMessage(id)).build());
            }
            SendMessageBatchResponse response = client.get().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException(response.failed().size() + " stage message(s) were not sent: "
                        + response.failed().getFirst().code());
            }
        }
    }

    /** One stage message that becomes visible after {@code delaySeconds} (at most 900). */
    public void sendStageLater(UUID imageId, int delaySeconds) {
        SendMessageBatchResponse response = client.get().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(
                SendMessageBatchRequestEntry.builder().id(imageId.toString()).messageBody(stageMessage(imageId))
                        .delaySeconds(Math.max(0, Math.min(900, delaySeconds))).build()));
        if (!response.failed().isEmpty()) {
            throw new IllegalStateException("the stage message was not sent: " + response.failed().getFirst().code());
        }
    }

    /** Brings a message back sooner than the visibility timeout, for a retry that should not wait half an hour. */
    public void retryIn(String receiptHandle, int seconds) {
        client.get().changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    }
}
