package ai.realstaging.stageimage;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQS entry point of the staging pipeline. Messages of a batch run concurrently, a thread each (model
 * calls are mostly waiting); each one that should be retried is reported as a batch item failure.
 */
public final class StageImageHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(StageImageHandler.class);

    private final StagingPipeline pipeline;

    public StageImageHandler() {
        this(Config.fromEnvironment());
    }

    public StageImageHandler(Config config) {
        this(StagingPipeline.create(config));
    }

    StageImageHandler(StagingPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Observability.invocation(context, () -> {
            Deadline deadline = Deadline.in(Duration.ofMillis(context.getRemainingTimeInMillis()));
            List<SQSEvent.SQSMessage> messages = event.getRecords() == null ? List.of() : event.getRecords();
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            // One platform thread per message (at most 10): cheap at that count, and clear of the
            // JDK 25.0.3 virtual-thread fault seen in the local stack (see FunctionPool), since every
            // message does JDBC work inside Database's synchronized methods.
            try (ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
                List<Future<Outcome>> outcomes = new ArrayList<>();
                for (SQSEvent.SQSMessage message : messages) {
                    outcomes.add(workers.submit(() -> pipeline.process(message.getBody(), receiveCount(message), deadline)));
                }
                for (int i = 0; i < messages.size(); i++) {
                    SQSEvent.SQSMessage message = messages.get(i);
                    Outcome outcome = outcomeOf(outcomes.get(i), message);
                    if (outcome instanceof Outcome.Retry retry) {
                        failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                        pipeline.retryIn(message.getReceiptHandle(), retry.seconds());
                    }
                }
            }
            return new SQSBatchResponse(failures);
        });
    }

    /** An unexpected error retries the one message, never the whole batch. */
    private static Outcome outcomeOf(Future<Outcome> future, SQSEvent.SQSMessage message) {
        try {
            return future.get();
        } catch (Exception e) {
            LOG.error("message {} failed unexpectedly", message.getMessageId(), e);
            return new Outcome.Retry(30, "unexpected error");
        }
    }

    static int receiveCount(SQSEvent.SQSMessage message) {
        try {
            return Integer.parseInt(message.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (RuntimeException e) {
            return 1;
        }
    }
}
