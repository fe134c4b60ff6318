package ai.realstaging.local;

// end-to-end: live events through the in-JVM local stack (real PostgreSQL and Redis from DATABASE_URL /
// REDIS_URL or embedded, in-JVM S3 and SQS, Replicate stand-in, local issuer), over its WebSocket API and its SSE stream

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealtimeE2EIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    private LocalStack stack;
    private final TestDatabase db = TestDatabase.shared();

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0, db.databaseUrlSetting(),
                null, null, null, home));
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    private String token(String user) {
        return stack.issuer().mint(user + "-realtime", false, Duration.ofHours(1));
    }

    private ApiClient api(String token) {
        return new ApiClient(HTTP, stack.apiUrl(), token);
    }

    /** A project and one started upload of a small photo; answers the upload response. */
    private JsonNode startUpload(ApiClient api) throws Exception {
        String project = api.post("/v1/projects", Map.of("name", "Live listing")).body().path("id").asText();
        byte[] photo = Photos.emptyRoom(320, 240, "jpg");
        JsonNode started = api.post("/v1/projects/" + project + "/uploads", Map.of("filename", "room.jpg",
                "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "living_room",
                "styles", List.of("modern"))).body();
        ((com.fasterxml.jackson.databind.node.ObjectNode) started).put("project_id", project);
        ((com.fasterxml.jackson.databind.node.ObjectNode) started).put("photo_size", photo.length);
        assertThat(api.upload(started.path("upload"), photo)).isEqualTo(200);
        return started;
    }

    /** Statuses of image.updated events for one image, in arrival order, until it is ready or failed. */
    private static List<String> statusesUntilDone(LiveEvents events, String imageId, Duration within) throws Exception {
        List<String> statuses = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            LiveEvents.Received r = events.next(m -> m.path("type").asText().equals("image.updated")
                    && m.path("image").path("id").asText().equals(imageId), Duration.ofNanos(deadline - System.nanoTime()));
            if (r == null) break;
            String status = r.message().path("image").path("status").asText();
            statuses.add(status);
            if (status.equals("ready") || status.equals("failed")) break;
        }
        return statuses;
    }

    @Test
    void aWebSocketClientSeesProcessingThenReadyForItsUploadWithinTenSecondsAndAnotherUserSeesNothing() throws Exception {
        String alice = token("alice");
        try (LiveEvents mine = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), alice);
             LiveEvents theirs = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), token("bob"))) {
            long started = System.nanoTime();
            JsonNode upload = startUpload(api(alice));
            String imageId = upload.path("images").path(0).path("id").asText();

            List<String> statuses = statusesUntilDone(mine, imageId, TEN_SECONDS);

            assertThat(statuses).containsSubsequence("processing", "ready");
            assertThat(statuses.getLast()).isEqualTo("ready");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TEN_SECONDS);
            assertThat(theirs.next(Duration.ofMillis(500))).as("bob's connection").isNull();
        }
    }

    @Test
    void aRetryIsSeenLiveFromQueuedToReady() throws Exception {
        String carol = token("carol");
        stack.replicate().inject(new ai.realstaging.local.replicate.Fault.PredictionFails("NSFW content detected"));
        try (LiveEvents mine = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), carol)) {
            JsonNode upload = startUpload(api(carol));
            String imageId = upload.path("images").path(0).path("id").asText();
            assertThat(statusesUntilDone(mine, imageId, TEN_SECONDS).getLast()).isEqualTo("failed");

            assertThat(api(carol).post("/v1/images/" + imageId + "/retry", "").status()).isEqualTo(202);
            List<String> statuses = new ArrayList<>();
            LiveEvents.Received first = mine.next(m -> m.path("image").path("id").asText().equals(imageId), TEN_SECONDS);
            statuses.add(first.message().path("image").path("status").asText());
            statuses.addAll(statusesUntilDone(mine, imageId, TEN_SECONDS));

            assertThat(statuses).containsSubsequence("queued", "processing", "ready");
        }
    }

    @Test
    void theReadyEventCarriesTheImageAsTheRestApiShowsItWithUsableUrls() throws Exception {
        String carol = token("carol");
        try (LiveEvents mine = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), carol)) {
            JsonNode upload = startUpload(api(carol));
            String imageId = upload.path("images").path(0).path("id").asText();

            LiveEvents.Received ready = mine.next(m -> m.path("image").path("status").asText().equals("ready"), TEN_SECONDS);

            JsonNode image = ready.message().path("image");
            JsonNode rest = api(carol).get("/v1/images/" + imageId).body();
            for (String field : List.of("id", "original_id", "project_id", "room_type", "style", "mode", "status", "model")) {
                assertThat(image.path(field)).as(field).isEqualTo(rest.path(field));
            }
            HttpResponse<byte[]> staged = api(carol).download(image.path("urls").path("staged").asText());
            assertThat(staged.statusCode()).isEqualTo(200);
            assertThat(staged.body().length).isPositive();
        }
        // The original's verification arrived too, as original.updated (checked over SSE below).
    }

    @Test
    void anEventStreamClientSeesTheSameAndAnotherUserOnATicketSeesNothing() throws Exception {
        String dave = token("dave");
        ApiClient eve = api(token("eve"));
        ApiClient.Reply ticket = eve.post("/v1/events/tickets", Map.of());
        assertThat(ticket.status()).isEqualTo(201);
        try (LiveEvents mine = LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of("Authorization", "Bearer " + dave), null);
             LiveEvents theirs = LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of(),
                     "ticket=" + ticket.body().path("ticket").asText())) {
            JsonNode ready = mine.next(TEN_SECONDS).message();
            assertThat(ready.path("type").asText()).isEqualTo("ready");
            Instant since = Instant.parse(ready.path("since").asText());
            assertThat(since).isBetween(Instant.now().minusSeconds(10), Instant.now());
            assertThat(theirs.next(TEN_SECONDS).type()).isEqualTo("ready");

            JsonNode upload = startUpload(api(dave));
            String imageId = upload.path("images").path(0).path("id").asText();

            LiveEvents.Received original = mine.next(m -> m.path("type").asText().equals("original.updated"), TEN_SECONDS);
            assertThat(original.message().path("original").path("status").asText()).isEqualTo("uploaded");
            assertThat(statusesUntilDone(mine, imageId, TEN_SECONDS)).containsSubsequence("processing", "ready");
            assertThat(theirs.next(Duration.ofMillis(500))).as("eve's stream").isNull();
        }
    }

    @Test
    void aClientThatReconnectsCatchesUpWithUpdatedSince() throws Exception {
        String frank = token("frank");
        String lastEventId;
        try (LiveEvents first = LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of("Authorization", "Bearer " + frank), null)) {
            assertThat(first.next(TEN_SECONDS).type()).isEqualTo("ready");
            lastEventId = first.lastEventId();
        }
        assertThat(lastEventId).isNotBlank();

        // Away: an upload is staged while no stream is open.
        JsonNode upload = startUpload(api(frank));
        String imageId = upload.path("images").path(0).path("id").asText();
        long deadline = System.nanoTime() + TEN_SECONDS.toNanos();
        while (!api(frank).get("/v1/images/" + imageId).body().path("status").asText().equals("ready")) {
            assertThat(System.nanoTime()).as("staged within 10 s").isLessThan(deadline);
            Thread.sleep(100);
        }

        try (LiveEvents again = LiveEvents.eventStream(HTTP, stack.apiUrl(),
                Map.of("Authorization", "Bearer " + frank, "Last-Event-ID", lastEventId), null)) {
            JsonNode ready = again.next(TEN_SECONDS).message();
            Instant since = Instant.parse(ready.path("since").asText());
            assertThat(since).isBefore(Instant.ofEpochMilli(Long.parseLong(lastEventId)));

            // Nothing is replayed: what changed while away comes from the REST API, from `since` on.
            String project = upload.path("project_id").asText();
            JsonNode changed = api(frank).get("/v1/projects/" + project + "/originals?updated_since=" + since).body();
            assertThat(changed.path("items")).hasSize(1);
            JsonNode image = changed.path("items").path(0).path("images").path(0);
            assertThat(image.path("id").asText()).isEqualTo(imageId);
            assertThat(image.path("status").asText()).isEqualTo("ready");
            assertThat(api(frank).get("/v1/projects/" + project + "/originals?updated_since=" + Instant.now().plusSeconds(1))
                    .body().path("items")).as("nothing changed after now").isEmpty();
            assertThat(again.next(Duration.ofMillis(300))).as("no replay on the stream").isNull();
        }
    }

    @Test
    void aStaleConnectionIsRemovedWhenApiGatewayAnswersGone() throws Exception {
        String grace = token("grace");
        try (LiveEvents live = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), grace)) {
            String userId = db.queryString("SELECT id::text FROM users WHERE auth_sub = ?", "local|grace-realtime");
            // A connection API Gateway closed without a $disconnect reaching us.
            db.update("INSERT INTO connections (connection_id, user_id, expires_at) VALUES (?, ?::uuid, now() + interval '1 hour')",
                    "StaleConnId0=", userId);
            JsonNode upload = startUpload(api(grace));
            String imageId = upload.path("images").path(0).path("id").asText();

            assertThat(statusesUntilDone(live, imageId, TEN_SECONDS)).contains("ready");
            assertThat(db.queryLong("SELECT count(*) FROM connections WHERE connection_id = 'StaleConnId0='")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM connections WHERE user_id = ?::uuid", userId)).isEqualTo(1);
        }
    }

    @Test
    void closingTheConnectionRemovesItsRecord() throws Exception {
        String heidi = token("heidi");
        LiveEvents live = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), heidi);
        String userId = db.queryString("SELECT id::text FROM users WHERE auth_sub = ?", "local|heidi-realtime");
        assertThat(db.queryLong("SELECT count(*) FROM connections WHERE user_id = ?::uuid", userId)).isEqualTo(1);

        live.close();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (db.queryLong("SELECT count(*) FROM connections WHERE user_id = ?::uuid", userId) > 0) {
            assertThat(System.nanoTime()).as("record removed by $disconnect").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void badOrExpiredTokensCannotConnect() throws Exception {
        TokenIssuer issuer = stack.issuer();
        String expired = issuer.mint(TokenIssuer.ISSUER, TokenIssuer.AUDIENCE, "local|late", Instant.now().minusSeconds(5));
        String wrongAudience = issuer.mint(TokenIssuer.ISSUER, "https://other.api", "local|x", Instant.now().plusSeconds(600));
        String wrongIssuer = issuer.mint("https://evil.example/", TokenIssuer.AUDIENCE, "local|x", Instant.now().plusSeconds(600));
        for (String bad : java.util.Arrays.asList(null, "not-a-jwt", expired, wrongAudience, wrongIssuer)) {
            assertThatThrownBy(() -> LiveEvents.webSocket(HTTP, stack.webSocketUrl(), bad)).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(LiveEvents.Refused.class, r -> assertThat(r.status()).isEqualTo(401));
            assertThatThrownBy(() -> LiveEvents.eventStream(HTTP, stack.apiUrl(),
                    bad == null ? Map.of() : Map.of("Authorization", "Bearer " + bad), null))
                    .isInstanceOfSatisfying(LiveEvents.Refused.class, r -> assertThat(r.status()).isEqualTo(401));
        }
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE auth_sub IN ('local|late', 'local|x')")).isZero();
    }

    @Test
    void theEventStreamTakesNoLongLivedTokenInTheUrlAndATicketOnlyOnce() throws Exception {
        String ivan = token("ivan");
        assertThatThrownBy(() -> LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of(), "token=" + ivan))
                .isInstanceOfSatisfying(LiveEvents.Refused.class, r -> assertThat(r.status()).isEqualTo(401));

        String ticket = api(ivan).post("/v1/events/tickets", Map.of()).body().path("ticket").asText();
        try (LiveEvents once = LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of(), "ticket=" + ticket)) {
            assertThat(once.next(TEN_SECONDS).type()).isEqualTo("ready");
        }
        assertThatThrownBy(() -> LiveEvents.eventStream(HTTP, stack.apiUrl(), Map.of(), "ticket=" + ticket))
                .isInstanceOfSatisfying(LiveEvents.Refused.class, r -> assertThat(r.status()).isEqualTo(401));
        assertThat(api(null).post("/v1/events/tickets", Map.of()).status()).isEqualTo(401);
    }

    @Test
    void aPingIsAnsweredAndAnUnknownActionGetsAPoliteErrorOnAConnectionThatStaysOpen() throws Exception {
        try (LiveEvents live = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), token("judy"))) {
            live.send("{\"action\":\"dance\"}");
            JsonNode error = live.next(TEN_SECONDS).message();
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("error").path("code").asText()).isEqualTo("unknown_action");

            live.send("{\"action\":\"ping\"}");
            JsonNode pong = live.next(TEN_SECONDS).message();
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(Instant.parse(pong.path("time").asText())).isBetween(Instant.now().minusSeconds(10), Instant.now());
        }
    }

    @Test
    void aMessageOverApiGatewaysLimitClosesTheConnectionWith1009() throws Exception {
        try (LiveEvents live = LiveEvents.webSocket(HTTP, stack.webSocketUrl(), token("mallory"))) {
            live.send("{\"action\":\"ping\",\"pad\":\"" + "x".repeat(130 * 1024) + "\"}");

            assertThat(live.awaitClose(TEN_SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void theConnectionsEndpointAnswersGoneForAnUnknownConnection() throws Exception {
        java.net.URI callback = java.net.URI.create(stack.webSocketUrl().toString().replace("ws://", "http://"));
        try (var client = software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient.builder()
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).endpointOverride(callback)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test"))).build()) {
            assertThatThrownBy(() -> client.postToConnection(r -> r.connectionId("NoSuchConn0=")
                    .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("{}"))))
                    .isInstanceOf(software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException.class);
        }
        HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(java.net.URI.create(
                        stack.webSocketUrl().toString().replace("ws://", "http://") + "/@connections/NoSuchConn0="))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
    }
}
