package ai.realstaging.common.staging;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Replicate's predictions API: model-scoped create in sync mode ({@code Prefer: wait}), get, cancel,
 * and a search of the list for a prediction whose create answer was lost.
 * Errors are classified so the pipeline never creates a second paid prediction by accident.
 */
public final class ReplicateClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final URI baseUrl;
    private final Supplier<String> token;

    public ReplicateClient(HttpClient http, URI baseUrl, Supplier<String> token) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Creates a prediction of an official model and waits up to {@code waitSeconds} (1–60) for it.
     * {@code cancelAfter} is a deadline Replicate enforces itself, so an abandoned run stops costing.
     */
    public Prediction create(String model, Map<String, Object> input, int waitSeconds, Duration cancelAfter)
            throws ReplicateException {
        int wait = Math.max(1, Math.min(60, waitSeconds));
        HttpRequest request = authorized(URI.create(baseUrl + "/v1/models/" + model + "/predictions"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=" + wait)
                .header("Cancel-After", Math.max(5, cancelAfter.toSeconds()) + "s")
                .timeout(Duration.ofSeconds(wait + 15L))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("input", input))))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ReplicateException(ReplicateException.Kind.UNCERTAIN, 0,
                    "no answer to the create call: a prediction may exist", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicateException(ReplicateException.Kind.UNCERTAIN, 0, "interrupted during create", null, e);
        }
        return parse(response, true);
    }

    public Prediction get(String id) throws ReplicateException {
        return send(authorized(URI.create(baseUrl + "/v1/predictions/" + id)).GET().timeout(Duration.ofSeconds(15)).build());
    }

    /**
     * Finds the prediction created at or after {@code createdAfter} whose input carries {@code marker}
     * (we put it in the photo URL), for a create whose answer was lost. Lists newest first
     * ({@code GET /v1/predictions?created_after=}, 100 a page), following {@code next} on the same
     * host only, at most {@code maxPages} pages: a search that cannot finish is TRANSIENT, never "not
     * found", so the caller never creates a second paid prediction on a guess. Inputs are removed an
     * hour after a prediction ends (PLATFORM.md 1.12); the search runs minutes after the create.
     */
    public java.util.Optional<Prediction> findByMarker(String marker, java.time.Instant createdAfter, int maxPages)
            throws ReplicateException {
        URI page = URI.create(baseUrl + "/v1/predictions?created_after="
                + java.net.URLEncoder.encode(createdAfter.toString(), java.nio.charset.StandardCharsets.UTF_8));
        for (int n = 0; n < maxPages; n++) {
            HttpResponse<String> response;
            try {
                response = http.send(authorized(page).GET().timeout(Duration.ofSeconds(15)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "listing predictions failed", null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "interrupted", null, e);
            }
            if (response.statusCode() != 200) {
                // Not found cannot be concluded from an error: whatever the status, search again later.
                Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(ReplicateClient::seconds).orElse(null);
                throw new ReplicateException(ReplicateException.Kind.TRANSIENT, response.statusCode(),
                        "listing predictions answered " + response.statusCode(), retryAfter, null);
            }
            JsonNode body = Json.read(response.body());
            boolean older = false;
            for (JsonNode result : body.path("results")) {
                // The input (which echoes the customer's key for gpt-image-1) is searched, never kept or logged.
                if (result.path("input").toString().contains(marker)) {
                    return java.util.Optional.of(Prediction.of(result));
                }
                older |= createdBefore(result, createdAfter);
            }
            String next = body.path("next").asText(null);
            if (older || next == null || next.isBlank()) {
                return java.util.Optional.empty();
            }
            URI nextUri = URI.create(next);
            if (!baseUrl.getHost().equalsIgnoreCase(nextUri.getHost())) {
                throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "the next page is on another host", null, null);
            }
            page = nextUri;
        }
        throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0,
                "more than " + maxPages + " pages of predictions to search", null, null);
    }

    /** A list sorted newest first has passed the window once a result is older than its start. */
    private static boolean createdBefore(JsonNode prediction, java.time.Instant instant) {
        try {
            return java.time.OffsetDateTime.parse(prediction.path("created_at").asText()).toInstant().isBefore(instant);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Streams an output file; the caller closes the stream. Files live one hour at Replicate. */
    public HttpResponse<InputStream> download(URI url) throws ReplicateException {
        try {
            HttpResponse<InputStream> response = http.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                ReplicateException.Kind kind = response.statusCode() >= 500
                        ? ReplicateException.Kind.TRANSIENT : ReplicateException.Kind.PERMANENT;
                throw new ReplicateException(kind, response.statusCode(),
                        "output download answered " + response.statusCode(), null, null);
            }
            return response;
        } catch (IOException e) {
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "output download failed", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "interrupted", null, e);
        }
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token.get());
    }

    private Prediction send(HttpRequest request) throws ReplicateException {
        try {
            return parse(http.send(request, HttpResponse.BodyHandlers.ofString()), false);
        } catch (IOException e) {
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "Replicate did not answer", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, 0, "interrupted", null, e);
        }
    }

    private static Prediction parse(HttpResponse<String> response, boolean create) throws ReplicateException {
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            JsonNode body = Json.read(response.body());
            Prediction prediction = Prediction.of(body);
            if (prediction.id() == null) {
                throw new ReplicateException(create ? ReplicateException.Kind.UNCERTAIN : ReplicateException.Kind.TRANSIENT,
                        status, "Replicate answered without a prediction id", null, null);
            }
            return prediction;
        }
        String detail = detail(response.body());
        if (status == 429) {
            Duration retryAfter = response.headers().firstValue("Retry-After")
                    .flatMap(ReplicateClient::seconds).orElse(Duration.ofSeconds(10));
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, status, "rate limited: " + detail,
                    retryAfter, null);
        }
        if (status >= 500 || status == 408) {
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, status, "Replicate error " + status, null, null);
        }
        if (status == 401 || status == 403) {
            // A wrong or missing token is our configuration, not the user's input: keep the job for a fix.
            throw new ReplicateException(ReplicateException.Kind.TRANSIENT, status, "Replicate refused our token", null, null);
        }
        throw new ReplicateException(ReplicateException.Kind.PERMANENT, status, "Replicate refused the request ("
                + status + "): " + detail, null, null);
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static String detail(String body) {
        try {
            JsonNode node = Json.read(body);
            return node.path("detail").asText(node.path("title").asText("no detail"));
        } catch (RuntimeException e) {
            return "no detail";
        }
    }
}
