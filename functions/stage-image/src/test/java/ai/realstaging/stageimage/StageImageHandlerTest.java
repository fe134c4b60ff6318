// unit: SQS batch handling of the staging function; no database (a closed port stands for one that is down)
package ai.realstaging.stageimage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.realtime.StatusUpdates;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSelection;
import ai.realstaging.common.staging.QwenImageEdit;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestContext;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

class StageImageHandlerTest {
    private final AtomicInteger connectionAttempts = new AtomicInteger();
    private S3Client s3;
    private SqsClient sqs;
    private StageImageHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        ConnectionFactory down = ConnectionFactory.plain(DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/x"));
        Database database = new Database(() -> {
            connectionAttempts.incrementAndGet();
            return down.open();
        });
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        s3 = S3Client.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere)
                .forcePathStyle(true).build();
        sqs = SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere).build();
        S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .endpointOverride(java.net.URI.create("https://s3.us-east-1.amazonaws.com")) // not AWS_ENDPOINT_URL
                .credentialsProvider(credentials).build();
        Storage storage = new Storage(s3, presigner, "bucket");
        StagingQueue queue = new StagingQueue(sqs, nowhere + "/000000000000/staging");
        ReplicateClient replicate = new ReplicateClient(ReplicateClient.defaultHttpClient(), nowhere, () -> "token");
        Stager stager = new Stager(database, storage, queue, replicate,
                new ModelSelection(new ModelRegistry(), new QwenImageEdit(), new SecretBox(() -> "unused-in-this-test-0123456789abcdef")),
                new Stager.Settings(Duration.ofMinutes(5), 5, Duration.ofMillis(10), Duration.ofMinutes(30), 1),
                StatusUpdates.disabled());
        handler = new StageImageHandler(new StagingPipeline(
                new UploadVerifier(database, storage, queue, StatusUpdates.disabled()), stager, queue));
    }

    @AfterEach
    void tearDown() {
        s3.close();
        sqs.close();
    }

    private static SQSEvent.SQSMessage message(String id, String body, Map<String, String> attributes) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setReceiptHandle("receipt-" + id);
        m.setBody(body);
        m.setAttributes(attributes);
        return m;
    }

    private static SQSEvent batch(SQSEvent.SQSMessage... messages) {
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(messages)));
        return event;
    }

    private List<String> failedIds(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void receiveCountComesFromTheApproximateReceiveCountAttribute() {
        assertThat(StageImageHandler.receiveCount(message("m", "{}", Map.of("ApproximateReceiveCount", "4")))).isEqualTo(4);
        assertThat(StageImageHandler.receiveCount(Events.sqs("sqs/sqs_stage_image.json").getRecords().getFirst())).isEqualTo(1);
    }

    @Test
    void aMissingOrGarbledReceiveCountCountsAsTheFirstDelivery() {
        assertThat(StageImageHandler.receiveCount(message("m", "{}", Map.of()))).isEqualTo(1);
        assertThat(StageImageHandler.receiveCount(message("m", "{}", null))).isEqualTo(1);
        assertThat(StageImageHandler.receiveCount(message("m", "{}", Map.of("ApproximateReceiveCount", "many")))).isEqualTo(1);
    }

    @Test
    void theS3TestEventIsAcknowledgedWithoutAnyWork() {
        SQSBatchResponse response = handler.handleRequest(Events.sqs("sqs/sqs_s3_test_event.json"), new TestContext());

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(connectionAttempts).hasValue(0);
    }

    @Test
    void anUnreadableMessageIsDroppedRatherThanRetriedForever() {
        SQSBatchResponse response = handler.handleRequest(batch(
                message("a", "not json", Map.of()),
                message("b", "{\"type\":\"stage\",\"image_id\":\"nope\"}", Map.of()),
                message("c", "{\"hello\":\"world\"}", Map.of())), new TestContext());

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(connectionAttempts).hasValue(0);
    }

    @Test
    void whenTheDatabaseIsDownUploadAndStageMessagesAreRetriedAndTheRestAcknowledged() {
        SQSEvent.SQSMessage upload = Events.sqs("sqs/sqs_s3_object_created.json").getRecords().getFirst();
        SQSEvent.SQSMessage stage = Events.sqs("sqs/sqs_stage_image.json").getRecords().getFirst();
        SQSEvent.SQSMessage test = Events.sqs("sqs/sqs_s3_test_event.json").getRecords().getFirst();
        Map<String, String> attributes = new HashMap<>(stage.getAttributes());
        attributes.put("ApproximateReceiveCount", "5");
        stage.setAttributes(attributes);

        SQSBatchResponse response = handler.handleRequest(batch(test, upload, stage), new TestContext());

        assertThat(failedIds(response)).containsExactlyInAnyOrder(upload.getMessageId(), stage.getMessageId());
        assertThat(connectionAttempts.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anEmptyBatchHasNoFailures() {
        assertThat(handler.handleRequest(new SQSEvent(), new TestContext()).getBatchItemFailures()).isEmpty();
    }
}
