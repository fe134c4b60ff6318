package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/** A small client of the HTTP API, as a frontend would use it; shared by the CLI and the end-to-end tests. */
public final class ApiClient {
    private final HttpClient http;
    private final URI api;
    private final String token;
    private final Observer observer;

    /** Sees every exchange with the API (not the presigned S3 calls); the end-to-end tests check each against openapi.yaml. */
    @FunctionalInterface
    public interface Observer {
        void exchanged(HttpRequest request, HttpResponse<String> response);
    }

    public ApiClient(HttpClient http, URI api, String token) {
        this(http, api, token, (request, response) -> { });
    }

    public ApiClient(HttpClient http, URI api, String token, Observer observer) {
        this.http = http;
        this.api = api;
        this.token = token;
        this.observer = observer;
    }

    /** A response: status and parsed JSON body (null when empty or not JSON). */
    public record Reply(int status, JsonNode body, String contentType) {}

    public Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public Reply post(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body))).build());
    }

    public Reply patch(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body))).build());
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    /** The response as it came (redirects are not followed), for status codes and headers. */
    public HttpResponse<String> raw(String path) throws IOException, InterruptedException {
        HttpRequest request = request(path).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        observer.exchanged(request, response);
        return response;
    }

    /**
     * Polls GET /v1/images/{id} until the image reaches one of {@code statuses}; throws an
     * AssertionError with the last answer when it does not within {@code within}.
     */
    public JsonNode awaitImage(String imageId, Duration within, String... statuses)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode image = null;
        while (System.nanoTime() < deadline) {
            image = get("/v1/images/" + imageId).body();
            if (image != null && java.util.List.of(statuses).contains(image.path("status").asText())) return image;
            Thread.sleep(100);
        }
        throw new AssertionError("image " + imageId + " did not reach " + java.util.List.of(statuses) + " in "
                + within.toSeconds() + " s: " + image);
    }

    /** PUTs bytes to a presigned URL with exactly the headers the API said to send. */
    public int upload(JsonNode upload, byte[] bytes) throws IOException, InterruptedException {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
                .timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        for (Iterator<Map.Entry<String, JsonNode>> it = upload.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            // The JDK client sets Content-Length itself from the body, and refuses to be told.
            if (!header.getKey().equalsIgnoreCase("content-length")) {
                put.header(header.getKey(), header.getValue().asText());
            }
        }
        return http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    public HttpResponse<byte[]> download(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return builder;
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        observer.exchanged(request, response);
        String type = response.headers().firstValue("Content-Type").orElse("");
        JsonNode body = null;
        if (!response.body().isEmpty() && type.contains("json")) {
            body = Json.read(response.body());
        }
        return new Reply(response.statusCode(), body, type);
    }
}
