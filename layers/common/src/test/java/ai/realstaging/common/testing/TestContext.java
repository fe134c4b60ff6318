package ai.realstaging.common.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** A Lambda {@link Context} for handler tests: a request id, a clock counting down, a logger to stdout. */
public final class TestContext implements Context {
    private final String requestId;
    private final String functionName;
    private final long deadlineNanos;

    /** One minute left, a random request id. */
    public TestContext() {
        this("test-function", Duration.ofMinutes(1));
    }

    public TestContext(String functionName, Duration remaining) {
        this(UUID.randomUUID().toString(), functionName, remaining);
    }

    public TestContext(String requestId, String functionName, Duration remaining) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.deadlineNanos = System.nanoTime() + remaining.toNanos();
    }

    /** The same function with another remaining time, as a new invocation would have. */
    public TestContext withRemaining(Duration remaining) {
        return new TestContext(UUID.randomUUID().toString(), functionName, remaining);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "2025/06/14/[$LATEST]0123456789abcdef0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:123456789012:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.println(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.println(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
