// integration: real PostgreSQL (DATABASE_URL or embedded), offline SigV4 presigning; batch uploads, preference defaults, downloads
package ai.realstaging.presign;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import ai.realstaging.common.testing.TestDatabase.Upload;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchAndDownloadIT {
    private static final String BUCKET = "realstaging-media-test";
    private final TestDatabase db = TestDatabase.shared();
    private Database database;
    private OfflineAws aws;
    private PresignHandler handler;
    private TestUser user;
    private TestUser stranger;
    private UUID project;

    @BeforeEach
    void setUp() {
        aws = new OfflineAws();
        database = db.newDatabase();
        handler = new PresignHandler(new UploadService(database, aws.storage(BUCKET)), Identity.DEFAULT_ROLES_CLAIM);
        user = db.createUser();
        stranger = db.createUser();
        project = db.createProject(user.id(), "12 Harbour View Road");
    }

    @AfterEach
    void tearDown() {
        database.close();
        aws.close();
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, new TestContext());
    }

    private APIGatewayV2HTTPResponse batch(TestUser as, UUID projectId, String body) {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_start_upload_batch.json"), as);
        return invoke(Events.withBody(Events.withPathParameter(event, "id", projectId.toString()), body));
    }

    private APIGatewayV2HTTPResponse single(TestUser as, String body) {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_start_upload.json"), as);
        return invoke(Events.withBody(Events.withPathParameter(event, "id", project.toString()), body));
    }

    private APIGatewayV2HTTPResponse download(TestUser as, UUID imageId, Map<String, String> query) {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_download_image.json"), as);
        return invoke(Events.withQuery(Events.withPathParameter(event, "id", imageId.toString()), query));
    }

    private static ObjectNode item(String filename, String contentType, List<String> styles) {
        ObjectNode item = Json.MAPPER.createObjectNode();
        item.put("filename", filename).put("content_type", contentType).put("size_bytes", 2_000_000)
                .put("room_type", "living_room");
        ArrayNode s = item.putArray("styles");
        styles.forEach(s::add);
        return item;
    }

    private static String items(JsonNode... items) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("items");
        for (JsonNode i : items) list.add(i);
        return Json.write(body);
    }

    private static JsonNode json(APIGatewayV2HTTPResponse response, int status) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        return Json.read(response.getBody());
    }

    private long images() {
        return db.queryLong("SELECT count(*) FROM images WHERE user_id = ?", user.id());
    }

    private void useQuota(int units) {
        db.useQuota(user.id(), units);
    }

    private static Map<String, String> query(String url) {
        Map<String, String> params = new HashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }

    // ---------------------------------------------------------------- batch

    @Test
    void theSampleBatchStartsEveryItemWithItsOwnUrl() {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_start_upload_batch.json"), user);
        JsonNode result = json(invoke(Events.withPathParameter(event, "id", project.toString())), 200);

        assertThat(result.path("items")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode item = result.path("items").get(i);
            assertThat(item.path("index").asInt()).isEqualTo(i);
            assertThat(item.path("status").asInt()).isEqualTo(201);
            assertThat(item.path("upload").path("url").asText()).startsWith("https://");
            assertThat(item.has("problem")).isFalse();
        }
        assertThat(images()).isEqualTo(3);
    }

    @Test
    void aFailingItemIsReportedAndNeverBlocksTheOthers() {
        JsonNode result = json(batch(user, project, items(
                item("a.jpg", "image/jpeg", List.of("modern")),
                item("b.gif", "image/gif", List.of("modern")),
                item("c.png", "image/png", List.of("gothic", "modern")),
                Json.MAPPER.getNodeFactory().textNode("not an object"),
                item("e.webp", "image/webp", List.of("coastal")))), 200);

        List<Integer> statuses = new java.util.ArrayList<>();
        result.path("items").forEach(i -> statuses.add(i.path("status").asInt()));
        assertThat(statuses).containsExactly(201, 415, 422, 422, 201);
        JsonNode invalid = result.path("items").get(2).path("problem");
        assertThat(invalid.path("status").asInt()).isEqualTo(422);
        assertThat(invalid.path("errors").get(0).path("field").asText()).isEqualTo("styles[0]");
        assertThat(images()).isEqualTo(2);
    }

    @Test
    void aBatchCountsEveryImageItAsksForAndStopsSpendingAtTheLimit() {
        useQuota(7); // 3 of the free plan's 10 left

        JsonNode result = json(batch(user, project, items(
                item("a.jpg", "image/jpeg", List.of("modern", "coastal")),
                item("b.jpg", "image/jpeg", List.of("modern", "coastal")),
                item("c.jpg", "image/jpeg", List.of("modern")))), 200);

        List<Integer> statuses = new java.util.ArrayList<>();
        result.path("items").forEach(i -> statuses.add(i.path("status").asInt()));
        assertThat(statuses).containsExactly(201, 402, 201);
        assertThat(db.queryLong("SELECT count(*) FROM usage_reservations WHERE user_id = ? AND status = 'reserved'",
                user.id())).isEqualTo(10);
        assertThat(images()).isEqualTo(3);
    }

    @Test
    void aBatchOfMoreThanFiftyOrNoneIs422AndCreatesNothing() {
        JsonNode[] many = new JsonNode[51];
        for (int i = 0; i < many.length; i++) many[i] = item("p" + i + ".jpg", "image/jpeg", List.of("modern"));

        assertThat(json(batch(user, project, items(many)), 422).path("errors").get(0).path("field").asText()).isEqualTo("items");
        json(batch(user, project, items()), 422);
        json(batch(user, project, "{\"items\": \"a.jpg\"}"), 422);
        assertThat(images()).isZero();
    }

    @Test
    void anotherUsersProjectIs404ForTheWholeBatch() {
        json(batch(stranger, project, items(item("a.jpg", "image/jpeg", List.of("modern")))), 404);
        assertThat(images()).isZero();
    }

    // ---------------------------------------------------------------- preferences

    @Test
    void anUploadWithoutRoomTypeOrStylesTakesTheUsersDefaults() {
        db.update("UPDATE users SET preferences = '{\"default_room_type\": \"bedroom\", \"default_style\": \"coastal\"}' WHERE id = ?",
                user.id());

        JsonNode started = json(single(user, "{\"filename\": \"room.jpg\", \"content_type\": \"image/jpeg\", \"size_bytes\": 1000}"), 201);

        assertThat(started.path("images")).hasSize(1);
        assertThat(started.path("images").get(0).path("style").asText()).isEqualTo("coastal");
        assertThat(started.path("images").get(0).path("room_type").asText()).isEqualTo("bedroom");
    }

    @Test
    void withoutDefaultsLeavingOutRoomTypeAndStylesIs422NamingBoth() {
        JsonNode problem = json(single(user, "{\"filename\": \"room.jpg\", \"content_type\": \"image/jpeg\", \"size_bytes\": 1000}"), 422);

        List<String> fields = new java.util.ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).containsExactlyInAnyOrder("room_type", "styles");
    }

    // ---------------------------------------------------------------- downloads

    private Upload uploaded() {
        return db.markUploaded(db.createUpload(user.id(), project, "Living Room (1).jpg", "image/jpeg", 2_000_000,
                "living_room", List.of("modern")));
    }

    private void makeReady(Image image) {
        db.markReady(image);
    }

    @Test
    void aReadyImageDownloadsAsAnAttachmentWithAMeaningfulName() {
        Upload upload = uploaded();
        makeReady(upload.image());

        APIGatewayV2HTTPResponse response = download(user, upload.image().id(), Map.of("kind", "staged"));

        assertThat(response.getStatusCode()).isEqualTo(302);
        assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");
        String location = response.getHeaders().get("Location");
        assertThat(URI.create(location).getPath()).endsWith("/staged/" + user.id() + "/" + upload.image().id() + ".png");
        Map<String, String> q = query(location);
        assertThat(q.get("response-content-disposition")).isEqualTo("attachment; filename=\"Living_Room_1_-modern-staged.png\"");
        assertThat(Integer.parseInt(q.get("X-Amz-Expires"))).isEqualTo(300);
    }

    @Test
    void theOriginalDownloadsUnderItsOwnNameAndStagedIsTheDefault() {
        Upload upload = uploaded();
        makeReady(upload.image());

        String original = download(user, upload.image().id(), Map.of("kind", "original")).getHeaders().get("Location");
        String staged = download(user, upload.image().id(), Map.of()).getHeaders().get("Location");

        assertThat(URI.create(original).getPath()).endsWith(upload.original().s3Key());
        assertThat(query(original).get("response-content-disposition")).isEqualTo("attachment; filename=\"Living_Room_1_.jpg\"");
        assertThat(URI.create(staged).getPath()).contains("/staged/");
    }

    @Test
    void aFileThatDoesNotExistYetIs409() {
        Upload waiting = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 1000, "living_room", List.of("modern"));
        Upload queued = uploaded();

        json(download(user, waiting.image().id(), Map.of("kind", "original")), 409);
        json(download(user, queued.image().id(), Map.of("kind", "staged")), 409);
    }

    @Test
    void anotherUsersImageIs404AndABadKindIs422() {
        Upload upload = uploaded();
        makeReady(upload.image());

        JsonNode notFound = json(download(stranger, upload.image().id(), Map.of("kind", "staged")), 404);
        JsonNode unknown = json(download(stranger, UUID.randomUUID(), Map.of("kind", "staged")), 404);
        assertThat(notFound.path("detail")).isEqualTo(unknown.path("detail"));
        assertThat(json(download(user, upload.image().id(), Map.of("kind", "thumbnail")), 422)
                .path("errors").get(0).path("field").asText()).isEqualTo("kind");
    }
}
