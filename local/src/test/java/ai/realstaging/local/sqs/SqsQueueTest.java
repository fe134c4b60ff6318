// unit: the in-JVM SQS emulator's queue model, driven directly where HTTP cannot reach (old SentTimestamps)
package ai.realstaging.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SqsQueueTest {

    private static Message sentSecondsAgo(String body, int seconds) {
        return new Message(UUID.randomUUID().toString(), body, new TreeMap<>(), null, "test",
                System.currentTimeMillis() - seconds * 1000L);
    }

    @Test
    void dropsMessagesPastTheRetentionPeriod() {
        Queue queue = new Queue("retention", "arn:aws:sqs:us-east-1:000000000000:retention", arn -> null);
        queue.setAttributes(Map.of("MessageRetentionPeriod", "60"));

        queue.send(sentSecondsAgo("stale", 61), 0);
        assertThat(queue.approximateNumberOfMessages()).isZero();

        // A dead-lettered message keeps its SentTimestamp, so an old one can arrive behind a fresh one.
        queue.send(sentSecondsAgo("fresh", 0), 0);
        queue.send(sentSecondsAgo("old", 120), 0);
        assertThat(queue.receive(10, 30, 0)).extracting(d -> d.message().body).containsExactly("fresh");
        assertThat(queue.approximateNumberOfMessages()).isEqualTo(1);
        assertThat(queue.attributes()).containsEntry("ApproximateNumberOfMessages", "0")
                .containsEntry("ApproximateNumberOfMessagesNotVisible", "1");
    }
}
