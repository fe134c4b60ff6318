package ai.realstaging.common.queue;

import ai.realstaging.common.config.Lazy;
import ai.realstaging.common.http.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
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

    /**
     * Announces an upload again, in the shape S3 gives its ObjectCreated notification, for an
     * upload whose own notification was lost (say, dead-lettered while the database was down):
     * the staging function verifies it exactly as if S3 had sent it, and a duplicate is harmless.
     */
    public void sendUploadNotice(String bucket, String key, long size, String region, Instant eventTime) {
        String body = uploadNotice(bucket, key, size, region, eventTime);
        SendMessageBatchResponse response = client.get().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(
                SendMessageBatchRequestEntry.builder().id("upload").messageBody(body).build()));
        if (!response.failed().isEmpty()) {
            throw new IllegalStateException("the upload notice was not sent: " + response.failed().getFirst().code());
        }
    }

    /** An S3 event notification (version 2.1) for one created object; the key form-encoded as S3 encodes it. */
    public static String uploadNotice(String bucket, String key, long size, String region, Instant eventTime) {
        String encodedKey = Arrays.stream(key.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8)).collect(Collectors.joining("/"));
        Map<String, Object> object = Map.of("key", encodedKey, "size", size);
        Map<String, Object> s3 = Map.of("s3SchemaVersion", "1.0", "configurationId", "realstaging-maintenance",
                "bucket", Map.of("name", bucket, "arn", "arn:aws:s3:::" + bucket), "object", object);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", region);
        record.put("eventTime", eventTime.toString());
        record.put("eventName", "ObjectCreated:Put");
        record.put("s3", s3);
        return Json.write(Map.of("Records", List.of(record)));
    }

    /** Brings a message back sooner than the visibility timeout, for a retry that should not wait half an hour. */
    public void retryIn(String receiptHandle, int seconds) {
        client.get().changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    }
}
