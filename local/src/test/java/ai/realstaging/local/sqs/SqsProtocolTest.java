// unit: in-JVM SQS emulator over loopback HTTP with the AWS SDK
package ai.realstaging.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The wire details a hand-written client would see: auth, error shape and headers. */
class SqsProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGV4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sqs/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=0000";
    private static SqsTestServer stack;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        stack = new SqsTestServer();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static HttpResponse<String> call(String operation, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.endpoint + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "AmazonSQS." + operation)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusesUnsignedRequests() throws Exception {
        HttpResponse<String> response = call("ListQueues", "{}", null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).get("__type").asText()).endsWith("MissingAuthenticationToken");
        assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
    }

    @Test
    void reportsErrorsInTheJsonShapeWithTheQueryErrorHeader() throws Exception {
        HttpResponse<String> missing = call("SendMessage", "{\"MessageBody\":\"x\"}", SIGV4);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("__type").asText())
                .isEqualTo("com.amazonaws.sqs#MissingParameter");
        assertThat(missing.headers().firstValue("x-amzn-query-error")).hasValue("MissingParameter;Sender");

        HttpResponse<String> noQueue = call("GetQueueUrl", "{\"QueueName\":\"ghost\"}", SIGV4);
        assertThat(noQueue.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(noQueue.body());
        assertThat(error.get("__type").asText()).isEqualTo("com.amazonaws.sqs#QueueDoesNotExist");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(noQueue.headers().firstValue("x-amzn-query-error"))
                .hasValue("AWS.SimpleQueueService.NonExistentQueue;Sender");
        assertThat(noQueue.headers().firstValue("x-amzn-RequestId")).isPresent();

        HttpResponse<String> badAddress = call("SendMessage", "{\"QueueUrl\":\"http://h/\",\"MessageBody\":\"x\"}",
                SIGV4);
        assertThat(JSON.readTree(badAddress.body()).get("__type").asText()).endsWith("#InvalidAddress");

        HttpResponse<String> unsupported = call("StartMessageMoveTask", "{}", SIGV4);
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(unsupported.headers().firstValue("x-amzn-query-error"))
                .hasValue("AWS.SimpleQueueService.UnsupportedOperation;Sender");

        HttpResponse<String> garbage = call("ListQueues", "{not json", SIGV4);
        assertThat(garbage.statusCode()).isEqualTo(400);
    }

    @Test
    void answersSuccessesAsJsonWithARequestId() throws Exception {
        stack.sqs.createQueue("wire", Map.of());
        HttpResponse<String> response = call("SendMessage",
                "{\"QueueUrl\":\"wire\",\"MessageBody\":\"hello\",\"DelaySeconds\":\"0\"}", SIGV4);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.0");
        assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
        // MD5 of "hello", as any client can check.
        assertThat(JSON.readTree(response.body()).get("MD5OfMessageBody").asText())
                .isEqualTo("5d41402abc4b2a76b9719d911017c592");

        HttpResponse<String> received = call("ReceiveMessage",
                "{\"QueueUrl\":\"wire\",\"AttributeNames\":[\"SenderId\"]}", SIGV4);
        JsonNode message = JSON.readTree(received.body()).get("Messages").get(0);
        assertThat(message.get("Body").asText()).isEqualTo("hello");
        assertThat(message.get("Attributes").get("SenderId").asText()).isEqualTo("AKIDEXAMPLE");
    }
}
