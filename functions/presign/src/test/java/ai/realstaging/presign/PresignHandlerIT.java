// integration: real PostgreSQL (DATABASE_URL or embedded), offline SigV4 presigning; driven by events/apigw fixtures
package ai.realstaging.presign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.staging.Catalog;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PresignHandlerIT {
    private static final String BUCKET = "realstaging-media-test";
    private final TestDatabase db = TestDatabase.shared();
    private int closedPort;
    private Database database;
    private OfflineAws aws;
    private PresignHandler handler;
    private TestUser user;
    private UUID project;

    @BeforeEach
    void setUp() throws Exception {
        closedPort = OfflineAws.closedPort();
        aws = new OfflineAws();
        database = db.newDatabase();
        handler = handlerWith(database);
        user = db.createUser();
        project = db.createProject(user.id(), "12 Harbour View Road");
    }

    @AfterEach
    void tearDown() {
        database.close();
        aws.close();
    }

    private PresignHandler handlerWith(Database database) {
        return new PresignHandler(new UploadService(database, aws.storage(BUCKET)), Identity.DEFAULT_ROLES_CLAIM);
    }

    private APIGatewayV2HTTPEvent startUpload(TestUser as, UUID projectId) {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_start_upload.json"), as);
        return Events.withPathParameter(event, "id", projectId.toString());
    }

    private APIGatewayV2HTTPEvent startUpload(TestUser as, UUID projectId, java.util.function.Consumer<ObjectNode> change) {
        APIGatewayV2HTTPEvent event = startUpload(as, projectId);
        ObjectNode body = (ObjectNode) Json.read(event.getBody());
        change.accept(body);
        return Events.withBody(event, Json.write(body));
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, new TestContext());
    }

    private long rows(String table, TestUser owner) {
        return db.queryLong("SELECT count(*) FROM " + table + " WHERE user_id = ?", owner.id());
    }

    private static Map<String, String> query(String url) {
        Map<String, String> params = new HashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void assertProblem(APIGatewayV2HTTPResponse response, int status, String type) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(Json.read(response.getBody()).path("type").asText()).endsWith("/" + type);
    }

    @Test
    void startingAnUploadAnswers201WithTheOriginalItsImagesAndAPresignedPut() {
        Instant before = Instant.now();

        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project));

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(201);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        JsonNode body = Json.read(response.getBody());
        JsonNode original = body.path("original");
        assertThat(original.path("id").asText()).isNotBlank();
        assertThat(original.path("project_id").asText()).isEqualTo(project.toString());
        assertThat(original.path("status").asText()).isEqualTo("awaiting_upload");
        assertThat(original.path("filename").asText()).isEqualTo("living room.jpg");
        assertThat(original.path("content_type").asText()).isEqualTo("image/jpeg");
        assertThat(original.path("size_bytes").asLong()).isEqualTo(2483117);
        assertThat(original.path("created_at").asText()).endsWith("Z");

        JsonNode images = body.path("images");
        assertThat(images).hasSize(2);
        List<String> styles = new ArrayList<>();
        images.forEach(i -> {
            styles.add(i.path("style").asText());
            assertThat(i.path("id").asText()).isNotBlank();
            assertThat(i.path("status").asText()).isEqualTo("awaiting_upload");
            assertThat(i.path("original_id").asText()).isEqualTo(original.path("id").asText());
            assertThat(i.path("room_type").asText()).isEqualTo("living_room");
            assertThat(i.path("mode").asText()).isEqualTo("stage");
            assertThat(i.path("seed").asLong()).isEqualTo(42);
        });
        assertThat(styles).containsExactly("modern", "scandinavian");

        JsonNode upload = body.path("upload");
        assertThat(upload.path("method").asText()).isEqualTo("PUT");
        assertThat(upload.path("headers").properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("Content-Type", "Content-Length", "If-None-Match");
        assertThat(upload.path("headers").path("If-None-Match").asText()).as("create-once upload").isEqualTo("*");
        assertThat(upload.path("headers").path("Content-Type").asText()).isEqualTo("image/jpeg");
        assertThat(upload.path("headers").path("Content-Length").asText()).isEqualTo("2483117");
        Instant expires = Instant.parse(upload.path("expires_at").asText());
        assertThat(expires).isCloseTo(before.plus(Duration.ofMinutes(15)), within(30, ChronoUnit.SECONDS));
    }

    @Test
    void thePresignedUrlPinsTypeAndSizeAndPointsAtTheUploadKey() {
        JsonNode body = Json.read(invoke(startUpload(user, project)).getBody());
        String originalId = body.path("original").path("id").asText();
        String url = body.path("upload").path("url").asText();

        URI uri = URI.create(url);
        assertThat(uri.getScheme()).isEqualTo("https");
        assertThat(uri.getHost() + uri.getPath()).contains(BUCKET)
                .endsWith("uploads/" + user.id() + "/" + originalId + "/living_room.jpg");
        Map<String, String> query = query(url);
        assertThat(query.get("X-Amz-SignedHeaders")).isEqualTo("content-length;content-type;host;if-none-match");
        assertThat(query.get("X-Amz-Expires")).isEqualTo("900");
        assertThat(query.get("X-Amz-Credential")).startsWith("AKIDEXAMPLE/").endsWith("/us-east-1/s3/aws4_request");
        assertThat(query).containsKey("X-Amz-Signature");
    }

    @Test
    void theOriginalItsImagesAndTheirReservationsAreRecorded() {
        JsonNode body = Json.read(invoke(startUpload(user, project)).getBody());
        UUID originalId = UUID.fromString(body.path("original").path("id").asText());

        assertThat(db.queryString("SELECT status FROM originals WHERE id = ? AND user_id = ?", originalId, user.id()))
                .isEqualTo("awaiting_upload");
        assertThat(db.queryString("SELECT s3_key FROM originals WHERE id = ?", originalId))
                .isEqualTo("uploads/" + user.id() + "/" + originalId + "/living_room.jpg");
        assertThat(db.queryLong("SELECT count(*) FROM images WHERE original_id = ? AND status = 'awaiting_upload'",
                originalId)).isEqualTo(2);
        assertThat(db.queryLong("""
                SELECT count(*) FROM usage_reservations r JOIN images i ON i.id = r.image_id
                WHERE i.original_id = ? AND r.status = 'reserved'""", originalId)).isEqualTo(2);
    }

    @Test
    void anUnknownProjectIs404AndNothingIsCreated() {
        APIGatewayV2HTTPResponse response = invoke(startUpload(user, UUID.randomUUID()));

        assertProblem(response, 404, "not-found");
        assertThat(rows("originals", user)).isZero();
        assertThat(rows("images", user)).isZero();
        assertThat(rows("usage_reservations", user)).isZero();
    }

    @Test
    void anotherUsersProjectIs404LikeAnUnknownOneAndNothingIsCreated() {
        TestUser intruder = db.createUser();

        APIGatewayV2HTTPResponse response = invoke(startUpload(intruder, project));
        APIGatewayV2HTTPResponse unknown = invoke(startUpload(intruder, UUID.randomUUID()));

        assertProblem(response, 404, "not-found");
        assertThat(Json.read(response.getBody()).path("detail")).isEqualTo(Json.read(unknown.getBody()).path("detail"));
        for (TestUser u : List.of(user, intruder)) {
            assertThat(rows("originals", u)).isZero();
            assertThat(rows("images", u)).isZero();
            assertThat(rows("usage_reservations", u)).isZero();
        }
    }

    @Test
    void anExhaustedQuotaIs402AndNothingIsCreated() {
        db.createUpload(user.id(), project, "earlier.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(9, "modern"));

        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project));

        assertProblem(response, 402, "quota-exceeded");
        assertThat(Json.read(response.getBody()).path("detail").asText()).contains("2 image(s)").contains("1 of the 10");
        assertThat(rows("originals", user)).isEqualTo(1);
        assertThat(rows("images", user)).isEqualTo(9);
        assertThat(rows("usage_reservations", user)).isEqualTo(9);
    }

    @Test
    void theLastImageOfTheQuotaCanStillBeRequested() {
        db.createUpload(user.id(), project, "earlier.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(9, "modern"));

        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project,
                b -> b.putArray("styles").add("coastal")));

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(201);
        assertThat(rows("usage_reservations", user)).isEqualTo(10);
    }

    @Test
    void invalidFieldsAre422ListingEveryFieldAndNothingIsCreated() {
        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project, b -> {
            b.put("filename", "room.png");
            b.remove("room_type");
            b.putArray("styles").add("modern").add("gothic");
            b.put("seed", 0);
            b.put("prompt", "tiny");
        }));

        assertProblem(response, 422, "validation");
        List<String> fields = new ArrayList<>();
        Json.read(response.getBody()).path("errors").forEach(e -> {
            fields.add(e.path("field").asText());
            assertThat(e.path("message").asText()).isNotBlank();
        });
        assertThat(fields).containsExactlyInAnyOrder("filename", "room_type", "styles[1]", "seed", "prompt");
        assertThat(rows("originals", user)).isZero();
    }

    @Test
    void aTooLargeFileIs413() {
        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project,
                b -> b.put("size_bytes", Catalog.MAX_UPLOAD_BYTES + 1)));

        assertProblem(response, 413, "upload-too-large");
        assertThat(Json.read(response.getBody()).path("errors").get(0).path("field").asText()).isEqualTo("size_bytes");
        assertThat(rows("originals", user)).isZero();
    }

    @Test
    void anUnsupportedTypeIs415() {
        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project,
                b -> b.put("filename", "room.heic").put("content_type", "image/heic")));

        assertProblem(response, 415, "unsupported-media-type");
        assertThat(rows("originals", user)).isZero();
    }

    @Test
    void aMalformedBodyIs400() {
        assertProblem(invoke(Events.withBody(startUpload(user, project), "{\"filename\":")), 400, "bad-request");
    }

    @Test
    void withoutAuthorizerClaimsItIs401() {
        assertProblem(invoke(Events.anonymous(startUpload(user, project))), 401, "unauthorized");
    }

    @Test
    void aDatabaseThatIsDownIs503WithoutDetailsAndNoUrlIsSigned() {
        Database down = new Database(ConnectionFactory.plain(
                DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/nothing")));
        handler = handlerWith(down);

        APIGatewayV2HTTPResponse response = invoke(startUpload(user, project));

        assertProblem(response, 503, "dependency-unavailable");
        assertThat(response.getBody()).doesNotContain("Connection refused", "127.0.0.1", "X-Amz", "PSQL");
    }
}
