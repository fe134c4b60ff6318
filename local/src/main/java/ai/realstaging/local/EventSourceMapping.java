package ai.realstaging.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping, locally: pollers receive batches over the SQS protocol,
 * invoke the function with an SQSEvent, and delete what succeeded. Reported batch item failures
 * (or an exception: the whole batch) stay on the queue until their visibility timeout, then come
 * back with a higher receive count, and the queue's redrive policy moves them to the DLQ.
 */
final class EventSourceMapping implements AutoCloseable {
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final int batchSize;
    private final boolean reportBatchItemFailures;
    private final FunctionPool function;
    private final int pollers;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;

    EventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, String region, int batchSize,
                       boolean reportBatchItemFailures, FunctionPool function, int pollers) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.region = region;
        this.batchSize = Math.max(1, Math.min(10, batchSize));
        this.reportBatchItemFailures = reportBatchItemFailures;
        this.function = function;
        this.pollers = pollers;
    }

    EventSourceMapping start() {
        running = true;
        for (int i = 0; i < pollers; i++) {
            threads.submit(this::poll);
        }
        return this;
    }

    private void poll() {
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(batchSize)
                        .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (!messages.isEmpty()) {
                    deliver(messages);
                }
            } catch (RuntimeException e) {
                if (!running) return;
                System.err.println("[event-source-mapping] " + function.name() + ": " + e.getMessage());
                sleep(500);
            }
        }
    }

    private void deliver(List<Message> messages) {
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(m.messageId());
            record.setReceiptHandle(m.receiptHandle());
            record.setBody(m.body());
            record.setMd5OfBody(m.md5OfBody());
            record.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
            Map<String, String> attributes = new HashMap<>();
            m.attributesAsStrings().forEach(attributes::put);
            record.setAttributes(attributes);
            record.setMessageAttributes(new HashMap<>());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queueArn);
            record.setAwsRegion(region);
            records.add(record);
        }
        event.setRecords(records);
        Set<String> failed = new HashSet<>();
        try {
            Object response = function.invoke(event);
            if (reportBatchItemFailures && response instanceof SQSBatchResponse batch && batch.getBatchItemFailures() != null) {
                Set<String> ids = new HashSet<>();
                messages.forEach(m -> ids.add(m.messageId()));
                for (SQSBatchResponse.BatchItemFailure f : batch.getBatchItemFailures()) {
                    // Lambda treats a failure naming no message of the batch as an invalid response: all retry.
                    if (f.getItemIdentifier() == null || !ids.contains(f.getItemIdentifier())) {
                        System.err.println("[event-source-mapping] " + function.name()
                                + " reported an unknown item " + f.getItemIdentifier() + "; the whole batch is retried");
                        return;
                    }
                    failed.add(f.getItemIdentifier());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            // As in Lambda: an error fails the whole batch, every message comes back.
            System.err.println("[event-source-mapping] " + function.name() + " failed the batch: " + e);
            return;
        }
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        threads.shutdownNow();
    }
}
