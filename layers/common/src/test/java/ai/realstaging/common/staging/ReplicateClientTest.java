// unit: the Replicate client against a JDK HttpServer on loopback speaking the predictions API
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicateClientTest {
    private HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile Answer answer = new Answer(201, Map.of(), "{}");
    private ReplicateClient client;

    record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    record Answer(int status, Map<String, String> headers, String body) {}

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = new ReplicateClient(ReplicateClient.defaultHttpClient(),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), () -> "r8_test_token");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Answer a = answer;
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static final String SUCCEEDED = """
            {"id": "ufawqhfynnddngldkgtslldrkq", "model": "qwen/qwen-image-edit", "version": "hidden",
             "status": "succeeded", "input": {"prompt": "x"},
             "output": ["https://replicate.delivery/xezq/abc/out-0.jpg"], "error": null,
             "metrics": {"predict_time": 2.41, "total_time": 2.9},
             "urls": {"get": "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq",
                      "cancel": "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq/cancel"}}""";

    private Prediction create() throws ReplicateException {
        return client.create("qwen/qwen-image-edit", Map.of("image", "https://x/a.jpg", "prompt", "Stage it"),
                60, Duration.ofMinutes(10));
    }

    private ReplicateException createFails() {
        ReplicateException e = catchThrowableOfType(ReplicateException.class, this::create);
        assertThat(e).as("expected the create to fail").isNotNull();
        return e;
    }

    @Test
    void aCreatedPredictionIsParsed() throws Exception {
        answer = new Answer(201, Map.of(), SUCCEEDED);

        Prediction prediction = create();

        assertThat(prediction.id()).isEqualTo("ufawqhfynnddngldkgtslldrkq");
        assertThat(prediction.status()).isEqualTo("succeeded");
        assertThat(prediction.succeeded()).isTrue();
        assertThat(prediction.terminal()).isTrue();
        assertThat(prediction.output().get(0).asText()).isEqualTo("https://replicate.delivery/xezq/abc/out-0.jpg");
        assertThat(prediction.predictTimeSeconds()).isEqualTo(2.41);
        assertThat(prediction.error()).isNull();
    }

    @Test
    void createPostsToTheModelScopedEndpointWithWaitDeadlineAndToken() throws Exception {
        answer = new Answer(201, Map.of(), SUCCEEDED);

        client.create("qwen/qwen-image-edit", Map.of("image", "https://x/a.jpg", "seed", 7), 90, Duration.ofMinutes(10));

        Recorded r = requests.getFirst();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/models/qwen/qwen-image-edit/predictions");
        assertThat(r.header("Authorization")).isEqualTo("Bearer r8_test_token");
        assertThat(r.header("Prefer")).isEqualTo("wait=60");
        assertThat(r.header("Cancel-After")).isEqualTo("600s");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = Json.read(r.body());
        assertThat(body.path("input").path("image").asText()).isEqualTo("https://x/a.jpg");
        assertThat(body.path("input").path("seed").asInt()).isEqualTo(7);
    }

    @Test
    void waitAndDeadlineAreKeptWithinWhatReplicateAccepts() throws Exception {
        answer = new Answer(201, Map.of(), SUCCEEDED);

        client.create("qwen/qwen-image-edit", Map.of(), 0, Duration.ofSeconds(1));

        assertThat(requests.getFirst().header("Prefer")).isEqualTo("wait=1");
        assertThat(requests.getFirst().header("Cancel-After")).isEqualTo("5s");
    }

    @Test
    void aStillRunningPredictionIsNotTerminal() throws Exception {
        answer = new Answer(201, Map.of(), "{\"id\": \"p1\", \"status\": \"processing\", \"output\": null}");

        Prediction prediction = create();

        assertThat(prediction.terminal()).isFalse();
        assertThat(prediction.succeeded()).isFalse();
    }

    @Test
    void rateLimitingIsTransientWithTheServersRetryAfter() {
        answer = new Answer(429, Map.of("Retry-After", "17"), "{\"title\": \"Request was throttled\", \"detail\": \"slow down\"}");

        ReplicateException e = createFails();

        assertThat(e.kind()).isEqualTo(ReplicateException.Kind.TRANSIENT);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(17));
    }

    @Test
    void rateLimitingWithoutRetryAfterWaitsADefault() {
        answer = new Answer(429, Map.of(), "");

        assertThat(createFails().retryAfter()).isPositive();
    }

    @Test
    void aServerErrorIsTransient() {
        answer = new Answer(500, Map.of(), "{\"detail\": \"internal\"}");

        ReplicateException e = createFails();

        assertThat(e.kind()).isEqualTo(ReplicateException.Kind.TRANSIENT);
        assertThat(e.status()).isEqualTo(500);
        assertThat(requests).hasSize(1);
    }

    @Test
    void anInvalidInputIsPermanent() {
        answer = new Answer(422, Map.of(), "{\"title\": \"Input validation failed\", \"detail\": \"image: Does not match format 'uri'\"}");

        ReplicateException e = createFails();

        assertThat(e.kind()).isEqualTo(ReplicateException.Kind.PERMANENT);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.getMessage()).contains("Does not match format");
    }

    @Test
    void aRefusedTokenIsOurConfigurationAndTransient() {
        answer = new Answer(401, Map.of(), "{\"detail\": \"You did not pass a valid authentication token\"}");

        ReplicateException e = createFails();

        assertThat(e.kind()).isEqualTo(ReplicateException.Kind.TRANSIENT);
        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void aCreateAnsweredWithoutAnIdIsUncertain() {
        answer = new Answer(201, Map.of(), "{\"status\": \"starting\"}");

        assertThat(createFails().kind()).isEqualTo(ReplicateException.Kind.UNCERTAIN);
    }

    @Test
    void aConnectionDroppedDuringCreateIsUncertainAndNotRetried() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket dropping = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!dropping.isClosed()) {
                    try (Socket s = dropping.accept()) {
                        connections.incrementAndGet();
                        InputStream in = s.getInputStream();
                        in.read(new byte[8192]); // the request arrives; the answer never does
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            ReplicateClient dropped = new ReplicateClient(ReplicateClient.defaultHttpClient(),
                    URI.create("http://127.0.0.1:" + dropping.getLocalPort()), () -> "t");

            ReplicateException e = catchThrowableOfType(ReplicateException.class, () -> dropped.create(
                    "qwen/qwen-image-edit", Map.of(), 5, Duration.ofMinutes(1)));

            assertThat(e).isNotNull();
            assertThat(e.kind()).isEqualTo(ReplicateException.Kind.UNCERTAIN);
            assertThat(connections).hasValue(1);
            dropping.close();
            acceptor.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void getReadsAPredictionById() throws Exception {
        answer = new Answer(200, Map.of(), SUCCEEDED);

        Prediction prediction = client.get("ufawqhfynnddngldkgtslldrkq");

        assertThat(prediction.succeeded()).isTrue();
        assertThat(requests.getFirst().method()).isEqualTo("GET");
        assertThat(requests.getFirst().path()).isEqualTo("/v1/predictions/ufawqhfynnddngldkgtslldrkq");
        assertThat(requests.getFirst().header("Authorization")).isEqualTo("Bearer r8_test_token");
    }

    @Test
    void aFailedPredictionCarriesItsError() throws Exception {
        answer = new Answer(200, Map.of(), "{\"id\": \"p1\", \"status\": \"failed\", \"error\": \"NSFW content detected\"}");

        Prediction prediction = client.get("p1");

        assertThat(prediction.terminal()).isTrue();
        assertThat(prediction.succeeded()).isFalse();
        assertThat(prediction.error()).isEqualTo("NSFW content detected");
    }

    @Test
    void aPollThatFailsIsTransientNotUncertain() {
        answer = new Answer(503, Map.of(), "");

        ReplicateException e = catchThrowableOfType(ReplicateException.class, () -> client.get("p1"));

        assertThat(e.kind()).isEqualTo(ReplicateException.Kind.TRANSIENT);
    }

    @Test
    void anOutputFileIsStreamed() throws Exception {
        answer = new Answer(200, Map.of(), "jpeg-bytes");

        try (InputStream in = client.download(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/out.jpg")).body()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("jpeg-bytes");
        }
        assertThat(requests.getFirst().header("Authorization")).as("no token to a file host").isNull();
    }

    @Test
    void aMissingOutputFileIsPermanentAndAServerErrorTransient() {
        URI file = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/out.jpg");
        answer = new Answer(404, Map.of(), "");
        assertThat(catchThrowableOfType(ReplicateException.class, () -> client.download(file)).kind())
                .isEqualTo(ReplicateException.Kind.PERMANENT);

        answer = new Answer(502, Map.of(), "");
        assertThat(catchThrowableOfType(ReplicateException.class, () -> client.download(file)).kind())
                .isEqualTo(ReplicateException.Kind.TRANSIENT);
    }
}
