// unit: in-JVM SQS emulator over loopback HTTP with the AWS SDK
package ai.realstaging.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchEntryIdsNotDistinctException;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.EmptyBatchRequestException;
import software.amazon.awssdk.services.sqs.model.InvalidAttributeNameException;
import software.amazon.awssdk.services.sqs.model.InvalidAttributeValueException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.TooManyEntriesInBatchRequestException;

class SqsEmulatorTest {

    private static SqsTestServer stack;
    private static SqsClient sqs;

    @BeforeAll
    static void start() {
        stack = new SqsTestServer();
        sqs = stack.client;
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static String newQueue(String name, Map<String, String> attributes) {
        return sqs.createQueue(b -> b.queueName(name).attributesWithStrings(attributes)).queueUrl();
    }

    private static List<Message> receive(String url, int max, int visibility, int wait) {
        return sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(max).visibilityTimeout(visibility)
                .waitTimeSeconds(wait).messageSystemAttributeNamesWithStrings("All")
                .messageAttributeNames("All")).messages();
    }

    private static Map<String, String> attributes(String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                .attributesAsStrings();
    }

    @Test
    void createsQueuesAndReportsUrlListingAndAttributes() {
        String url = newQueue("orders-create", Map.of("VisibilityTimeout", "45", "DelaySeconds", "0"));
        newQueue("other-create", Map.of());

        assertThat(url).isEqualTo(stack.endpoint + "/" + SqsTestServer.ACCOUNT + "/orders-create");
        assertThat(sqs.getQueueUrl(b -> b.queueName("orders-create")).queueUrl()).isEqualTo(url);
        assertThat(sqs.listQueues(b -> b.queueNamePrefix("orders-")).queueUrls()).containsExactly(url);
        assertThat(attributes(url))
                .containsEntry("QueueArn", "arn:aws:sqs:us-east-1:000000000000:orders-create")
                .containsEntry("VisibilityTimeout", "45")
                .containsEntry("ApproximateNumberOfMessages", "0")
                .containsEntry("ApproximateNumberOfMessagesNotVisible", "0")
                .containsEntry("MessageRetentionPeriod", "345600")
                .containsEntry("ReceiveMessageWaitTimeSeconds", "0")
                .containsKeys("CreatedTimestamp", "MaximumMessageSize", "DelaySeconds");
        var some = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.QUEUE_ARN));
        assertThat(some.attributesAsStrings()).containsOnlyKeys("VisibilityTimeout", "QueueArn");

        sqs.setQueueAttributes(b -> b.queueUrl(url).attributesWithStrings(Map.of("VisibilityTimeout", "5")));
        assertThat(attributes(url)).containsEntry("VisibilityTimeout", "5");
        // Same name and agreeing attributes returns the queue; a conflicting value is refused, as in AWS.
        assertThat(newQueue("orders-create", Map.of("VisibilityTimeout", "5"))).isEqualTo(url);
        assertThatThrownBy(() -> newQueue("orders-create", Map.of("VisibilityTimeout", "6")))
                .isInstanceOf(QueueNameExistsException.class);
    }

    @Test
    void rejectsBadQueueNamesAndAttributes() {
        assertThatThrownBy(() -> newQueue("jobs.fifo", Map.of("FifoQueue", "true")))
                .isInstanceOf(SqsException.class).hasMessageContaining("FIFO");
        assertThatThrownBy(() -> newQueue("bad name", Map.of())).isInstanceOf(SqsException.class);
        assertThatThrownBy(() -> newQueue("bad-attr", Map.of("VisibilityTimeout", "99999")))
                .isInstanceOf(InvalidAttributeValueException.class);
        assertThatThrownBy(() -> newQueue("bad-redrive", Map.of("RedrivePolicy",
                "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:nope\",\"maxReceiveCount\":2}")))
                .isInstanceOf(InvalidAttributeValueException.class).hasMessageContaining("does not exist");
        String url = newQueue("attr-names", Map.of());
        assertThatThrownBy(() -> sqs.setQueueAttributes(b -> b.queueUrl(url)
                .attributesWithStrings(Map.of("ApproximateNumberOfMessages", "3"))))
                .isInstanceOf(InvalidAttributeNameException.class);
        assertThatThrownBy(() -> sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("Bogus")))
                .isInstanceOf(InvalidAttributeNameException.class);
    }

    @Test
    void roundTripsBodyAndMessageAttributesWithTheSdkChecksumsOn() {
        String url = newQueue("roundtrip", Map.of());
        Map<String, MessageAttributeValue> attrs = Map.of(
                "jobId", MessageAttributeValue.builder().dataType("String").stringValue("job-42 ✓").build(),
                "attempt", MessageAttributeValue.builder().dataType("Number.int").stringValue("3").build(),
                "thumb", MessageAttributeValue.builder().dataType("Binary")
                        .binaryValue(SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 255})).build());
        String body = "{\"image\":\"s3://bucket/room.jpg\",\"style\":\"scandi\"} — ünïcödé 🛋";

        SendMessageResponse sent = sqs.sendMessage(b -> b.queueUrl(url).messageBody(body).messageAttributes(attrs));
        assertThat(sent.md5OfMessageBody()).hasSize(32);
        assertThat(sent.md5OfMessageAttributes()).hasSize(32);

        List<Message> got = receive(url, 10, 30, 0);
        assertThat(got).hasSize(1);
        Message m = got.getFirst();
        assertThat(m.messageId()).isEqualTo(sent.messageId());
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.messageAttributes()).isEqualTo(attrs);
        assertThat(m.md5OfMessageAttributes()).isEqualTo(sent.md5OfMessageAttributes());
        assertThat(m.attributes())
                .containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1")
                .containsEntry(MessageSystemAttributeName.SENDER_ID, "test")
                .containsKeys(MessageSystemAttributeName.SENT_TIMESTAMP,
                        MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP);
        assertThat(attributes(url)).containsEntry("ApproximateNumberOfMessages", "0")
                .containsEntry("ApproximateNumberOfMessagesNotVisible", "1");

        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
        assertThat(stack.sqs.approximateNumberOfMessages("roundtrip")).isZero();
    }

    @Test
    void returnsOnlyTheRequestedMessageAttributesWithAMatchingChecksum() {
        String url = newQueue("selected-attrs", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("x").messageAttributes(Map.of(
                "trace.id", MessageAttributeValue.builder().dataType("String").stringValue("t1").build(),
                "trace.span", MessageAttributeValue.builder().dataType("String").stringValue("s1").build(),
                "owner", MessageAttributeValue.builder().dataType("String").stringValue("me").build())));

        // The SDK recomputes MD5OfMessageAttributes over what it got, so a subset must carry the subset's digest.
        Message m = sqs.receiveMessage(b -> b.queueUrl(url).messageAttributeNames("trace.*")).messages().getFirst();
        assertThat(m.messageAttributes()).containsOnlyKeys("trace.id", "trace.span");
        assertThat(m.attributes()).isEmpty();
        sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        Message plain = sqs.receiveMessage(b -> b.queueUrl(url)).messages().getFirst();
        assertThat(plain.messageAttributes()).isEmpty();
        assertThat(plain.md5OfMessageAttributes()).isNull();
    }

    @Test
    void rejectsInvalidSends() {
        String url = newQueue("invalid-sends", Map.of("MaximumMessageSize", "1024"));
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("x".repeat(1025))))
                .isInstanceOf(SqsException.class).hasMessageContaining("shorter than 1024");
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("x").messageAttributes(Map.of(
                "n", MessageAttributeValue.builder().dataType("Number").stringValue("abc").build()))))
                .isInstanceOf(SqsException.class).hasMessageContaining("number");
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("bell \u0007")))
                .isInstanceOf(SqsException.class).hasMessageContaining("Invalid characters");
        assertThatThrownBy(() -> sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(11)))
                .isInstanceOf(SqsException.class).hasMessageContaining("MaxNumberOfMessages");
        assertThat(stack.sqs.approximateNumberOfMessages("invalid-sends")).isZero();

        String big = newQueue("big-sends", Map.of());
        sqs.sendMessage(b -> b.queueUrl(big).messageBody("é".repeat(524_288))); // 1 MiB of UTF-8, the default limit
        assertThat(receive(big, 1, 30, 0).getFirst().body()).hasSize(524_288);
    }

    @Test
    void batchesReportPerEntryResults() {
        String url = newQueue("batches", Map.of());
        SendMessageBatchResponse sent = sqs.sendMessageBatch(b -> b.queueUrl(url).entries(
                SendMessageBatchRequestEntry.builder().id("a").messageBody("one").build(),
                SendMessageBatchRequestEntry.builder().id("b").messageBody("two").messageAttributes(Map.of("k",
                        MessageAttributeValue.builder().dataType("String").stringValue("v").build())).build(),
                SendMessageBatchRequestEntry.builder().id("c").messageBody("three").delaySeconds(901).build()));
        assertThat(sent.successful()).extracting(e -> e.id()).containsExactlyInAnyOrder("a", "b");
        assertThat(sent.failed()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo("c");
            assertThat(f.code()).isEqualTo("InvalidParameterValue");
            assertThat(f.senderFault()).isTrue();
        });

        List<Message> got = receive(url, 10, 30, 1);
        assertThat(got).extracting(Message::body).containsExactlyInAnyOrder("one", "two");
        DeleteMessageBatchResponse deleted = sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(
                e -> e.id("m0").receiptHandle(got.get(0).receiptHandle()),
                e -> e.id("m1").receiptHandle(got.get(1).receiptHandle()),
                e -> e.id("bad").receiptHandle("not a receipt handle")));
        assertThat(deleted.successful()).extracting(e -> e.id()).containsExactlyInAnyOrder("m0", "m1");
        assertThat(deleted.failed()).singleElement().satisfies(f -> assertThat(f.code())
                .isEqualTo("ReceiptHandleIsInvalid"));
        assertThat(stack.sqs.approximateNumberOfMessages("batches")).isZero();

        assertThatThrownBy(() -> sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(List.of())))
                .isInstanceOf(EmptyBatchRequestException.class);
        List<SendMessageBatchRequestEntry> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody("b").build());
        }
        assertThatThrownBy(() -> sqs.sendMessageBatch(b -> b.queueUrl(url).entries(eleven)))
                .isInstanceOf(TooManyEntriesInBatchRequestException.class);
        assertThatThrownBy(() -> sqs.sendMessageBatch(b -> b.queueUrl(url).entries(
                e -> e.id("same").messageBody("1"), e -> e.id("same").messageBody("2"))))
                .isInstanceOf(BatchEntryIdsNotDistinctException.class);
        assertThat(stack.sqs.approximateNumberOfMessages("batches")).isZero();
    }

    @Test
    void visibilityTimeoutHidesThenRedeliversWithAHigherReceiveCount() {
        String url = newQueue("visibility", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("paint the walls"));

        Message first = receive(url, 1, 1, 0).getFirst();
        assertThat(first.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1");
        assertThat(receive(url, 1, 1, 0)).isEmpty();

        // A long poll must wake by itself when the hidden message comes due, with no send to signal it.
        long start = System.nanoTime();
        Message again = receive(url, 1, 30, 5).getFirst();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.receiptHandle()).isNotEqualTo(first.receiptHandle());
        assertThat(again.attributes())
                .containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2")
                .containsEntry(MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP,
                        first.attributes().get(MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP));
    }

    @Test
    void changeMessageVisibilityZeroMakesItVisibleAtOnce() {
        String url = newQueue("change-visibility", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("b"));
        Message m = receive(url, 1, 300, 0).getFirst();
        assertThat(receive(url, 1, 300, 0)).isEmpty();

        sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        Message again = receive(url, 1, 300, 0).getFirst();
        assertThat(again.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");

        ChangeMessageVisibilityBatchResponse batch = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(url).entries(
                e -> e.id("ok").receiptHandle(again.receiptHandle()).visibilityTimeout(0),
                e -> e.id("stale").receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
        assertThat(batch.successful()).extracting(e -> e.id()).containsExactly("ok");
        assertThat(batch.failed()).singleElement().satisfies(f -> assertThat(f.code())
                .isEqualTo("AWS.SimpleQueueService.MessageNotInflight"));
        assertThat(receive(url, 1, 300, 0)).hasSize(1);
    }

    @Test
    void delaySecondsHoldsAMessageBack() {
        String url = newQueue("delayed", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("later").delaySeconds(1));
        assertThat(receive(url, 1, 30, 0)).isEmpty();
        assertThat(attributes(url)).containsEntry("ApproximateNumberOfMessagesDelayed", "1")
                .containsEntry("ApproximateNumberOfMessages", "0");
        assertThat(receive(url, 1, 30, 5)).extracting(Message::body).containsExactly("later");
    }

    @Test
    void longPollReturnsAsSoonAsAnotherThreadSends() throws Exception {
        String url = newQueue("long-poll", Map.of());
        long start = System.nanoTime();
        assertThat(receive(url, 1, 30, 1)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));

        try (ExecutorService sender = Executors.newSingleThreadScheduledExecutor()) {
            var scheduled = ((java.util.concurrent.ScheduledExecutorService) sender).schedule(
                    () -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("wake up")), 300, TimeUnit.MILLISECONDS);
            start = System.nanoTime();
            List<Message> got = receive(url, 1, 30, 20);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            scheduled.get();
            assertThat(got).extracting(Message::body).containsExactly("wake up");
            assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void redrivesToTheDeadLetterQueueAfterMaxReceiveCount() {
        String dlqUrl = newQueue("renders-dlq", Map.of());
        String dlqArn = stack.sqs.queueArn("renders-dlq");
        String url = newQueue("renders", Map.of("RedrivePolicy",
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"2\"}"));
        assertThat(attributes(url)).containsEntry("RedrivePolicy",
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":2}");
        SendMessageResponse sent = sqs.sendMessage(b -> b.queueUrl(url).messageBody("poison").messageAttributes(Map.of(
                "k", MessageAttributeValue.builder().dataType("String").stringValue("v").build())));

        Message first = receive(url, 1, 0, 0).getFirst();
        Message second = receive(url, 1, 0, 0).getFirst();
        assertThat(second.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");
        assertThat(receive(url, 1, 0, 0)).isEmpty();
        assertThat(stack.sqs.approximateNumberOfMessages("renders")).isZero();

        Message dead = receive(dlqUrl, 1, 30, 1).getFirst();
        assertThat(dead.messageId()).isEqualTo(sent.messageId());
        assertThat(dead.body()).isEqualTo("poison");
        assertThat(dead.messageAttributes()).containsOnlyKeys("k");
        assertThat(dead.attributes())
                .containsEntry(MessageSystemAttributeName.SENT_TIMESTAMP,
                        first.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP))
                .containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1");
    }

    @Test
    void unknownQueuesAreQueueDoesNotExist() {
        assertThatThrownBy(() -> sqs.getQueueUrl(b -> b.queueName("nope")))
                .isInstanceOf(QueueDoesNotExistException.class)
                .satisfies(e -> assertThat(((SqsException) e).statusCode()).isEqualTo(400));
        String missing = stack.endpoint + "/" + SqsTestServer.ACCOUNT + "/nope";
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(missing).messageBody("x")))
                .isInstanceOf(QueueDoesNotExistException.class);
        assertThatThrownBy(() -> sqs.receiveMessage(b -> b.queueUrl(missing)))
                .isInstanceOf(QueueDoesNotExistException.class);

        String url = newQueue("short-lived", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("x"));
        sqs.purgeQueue(b -> b.queueUrl(url));
        assertThat(stack.sqs.approximateNumberOfMessages("short-lived")).isZero();
        sqs.deleteQueue(b -> b.queueUrl(url));
        assertThatThrownBy(() -> sqs.sendMessage(b -> b.queueUrl(url).messageBody("x")))
                .isInstanceOf(QueueDoesNotExistException.class);
        assertThat(sqs.listQueues(b -> b.queueNamePrefix("short-lived")).queueUrls()).isEmpty();
    }

    @Test
    void acceptsAnyHostInTheQueueUrl() {
        newQueue("any-host", Map.of());
        String viaLocalhost = "http://localhost:1/" + SqsTestServer.ACCOUNT + "/any-host";
        sqs.sendMessage(b -> b.queueUrl(viaLocalhost).messageBody("hi"));
        assertThat(stack.sqs.approximateNumberOfMessages("any-host")).isEqualTo(1);
    }

    @Test
    void onlyTheLatestReceiptHandleActs() {
        String url = newQueue("stale-handles", Map.of());
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("x"));
        Message first = receive(url, 1, 0, 0).getFirst();
        Message second = receive(url, 1, 300, 0).getFirst();

        // The stale handle deletes nothing and fails to change visibility; the message stays in flight.
        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(first.receiptHandle()));
        assertThat(stack.sqs.approximateNumberOfMessages("stale-handles")).isEqualTo(1);
        assertThatThrownBy(() -> sqs.changeMessageVisibility(b -> b.queueUrl(url)
                .receiptHandle(first.receiptHandle()).visibilityTimeout(0)))
                .isInstanceOf(MessageNotInflightException.class);
        assertThat(receive(url, 1, 300, 0)).isEmpty();

        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(second.receiptHandle()));
        assertThat(stack.sqs.approximateNumberOfMessages("stale-handles")).isZero();
        // Deleting again after the message is gone is fine; changing its visibility is not.
        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(second.receiptHandle()));
        assertThatThrownBy(() -> sqs.changeMessageVisibility(b -> b.queueUrl(url)
                .receiptHandle(second.receiptHandle()).visibilityTimeout(10)))
                .isInstanceOf(SqsException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle("garbage!")))
                .isInstanceOf(ReceiptHandleIsInvalidException.class);
    }

    @Test
    void concurrentSendsAreEachReceivedExactlyOnce() throws Exception {
        String url = newQueue("concurrent", Map.of());
        int senders = 8;
        int perSender = 25;
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (ExecutorService pool = Executors.newFixedThreadPool(senders + 4)) {
            List<Future<?>> work = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                work.add(pool.submit(() -> {
                    while (received.get() < senders * perSender && System.nanoTime() < deadline) {
                        for (Message m : receive(url, 10, 30, 1)) {
                            if (!seen.add(m.body())) {
                                duplicates.incrementAndGet();
                            }
                            received.incrementAndGet();
                            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
                        }
                    }
                }));
            }
            for (int s = 0; s < senders; s++) {
                int sender = s;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < perSender; i++) {
                        String body = "s" + sender + "-" + i;
                        sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(duplicates).hasValue(0);
        assertThat(seen).hasSize(senders * perSender);
        assertThat(stack.sqs.approximateNumberOfMessages("concurrent")).isZero();
    }

    @Test
    void sendByArnDeliversInProcess() {
        String url = stack.sqs.createQueue("s3-events", Map.of("VisibilityTimeout", "60"));
        assertThat(url).endsWith("/" + SqsTestServer.ACCOUNT + "/s3-events");
        assertThat(stack.sqs.createQueue("s3-events", Map.of())).isEqualTo(url);

        stack.sqs.sendByArn("arn:aws:sqs:us-east-1:000000000000:s3-events", "{\"Records\":[]}");
        assertThat(stack.sqs.approximateNumberOfMessages("s3-events")).isEqualTo(1);
        Message m = receive(url, 1, 30, 0).getFirst();
        assertThat(m.body()).isEqualTo("{\"Records\":[]}");
        assertThat(m.attributes()).containsEntry(MessageSystemAttributeName.SENDER_ID, SqsTestServer.ACCOUNT);

        assertThatThrownBy(() -> stack.sqs.sendByArn("arn:aws:sqs:us-east-1:000000000000:missing", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stack.sqs.createQueue("s3-events", Map.of("VisibilityTimeout", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
