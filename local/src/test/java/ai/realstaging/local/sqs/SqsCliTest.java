// unit: in-JVM SQS emulator over loopback HTTP with the AWS SDK
package ai.realstaging.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aws CLI (botocore, JSON protocol) against the emulator; skipped where no `aws` is on PATH. */
class SqsCliTest {

    private record Result(int exit, String out, String err) {}

    @TempDir
    Path home;

    private static boolean awsOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "aws"))) {
                return true;
            }
        }
        return false;
    }

    private Result aws(SqsTestServer stack, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", stack.endpoint.toString(), "sqs"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        // Keep the developer's own profiles and config out of the run.
        env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
        env.remove("AWS_PROFILE");
        env.remove("AWS_SESSION_TOKEN");
        Path out = home.resolve("out.txt");
        Path err = home.resolve("err.txt");
        Process process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " timed out");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void awsCliSendsAndReceives() throws Exception {
        assumeTrue(awsOnPath(), "aws CLI not on PATH");
        try (SqsTestServer stack = new SqsTestServer()) {
            String url = stack.sqs.createQueue("cli-queue", Map.of());

            Result sent = aws(stack, "send-message", "--queue-url", url, "--message-body", "hi",
                    "--message-attributes", "{\"kind\":{\"DataType\":\"String\",\"StringValue\":\"greeting\"}}");
            assertThat(sent.exit()).as(sent.err()).isZero();
            assertThat(sent.out()).contains("MessageId");

            Result received = aws(stack, "receive-message", "--queue-url", url, "--wait-time-seconds", "1",
                    "--attribute-names", "All", "--message-attribute-names", "All");
            assertThat(received.exit()).as(received.err()).isZero();
            JsonNode message = new ObjectMapper().readTree(received.out()).get("Messages").get(0);
            assertThat(message.get("Body").asText()).isEqualTo("hi");
            assertThat(message.at("/MessageAttributes/kind/StringValue").asText()).isEqualTo("greeting");
            assertThat(message.at("/Attributes/ApproximateReceiveCount").asText()).isEqualTo("1");

            Result deleted = aws(stack, "delete-message", "--queue-url", url,
                    "--receipt-handle", message.get("ReceiptHandle").asText());
            assertThat(deleted.exit()).as(deleted.err()).isZero();
            assertThat(stack.sqs.approximateNumberOfMessages("cli-queue")).isZero();

            Result missing = aws(stack, "get-queue-url", "--queue-name", "no-such-queue");
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.err()).contains("NonExistentQueue");
        }
    }
}
