// integration: real PostgreSQL, offline presigning, S3 and SQS unreachable (deletes and sends are left to the sweep)
package ai.realstaging.projects;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourcesApiIT {
    private static final String BUCKET = "realstaging-media-test";
    private final TestDatabase db = TestDatabase.shared();
    private Database database;
    private OfflineAws aws;
    private ProjectsHandler handler;
    private TestUser user;
    private TestUser stranger;
    private UUID project;

    @BeforeEach
    void setUp() {
        aws = new OfflineAws();
        database = db.newDatabase();
        handler = new ProjectsHandler(new ProjectService(database, aws.storage(BUCKET), aws.queue()),
                Identity.DEFAULT_ROLES_CLAIM);
        user = db.createUser();
        stranger = db.createUser();
        project = db.createProject(user.id(), "12 Harbour View Road");
    }

    @AfterEach
    void tearDown() {
        database.close();
        aws.close();
    }

    /** The GET image fixture re-routed to {@code method template}, as API Gateway would send that route. */
    private APIGatewayV2HTTPResponse call(TestUser as, String method, String template, UUID id, String body,
                                          Map<String, String> query) {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_get_image.json"), as);
        event.setRouteKey(method + " " + template);
        event.getRequestContext().setRouteKey(method + " " + template);
        event.getRequestContext().getHttp().setMethod(method);
        event.setPathParameters(new HashMap<>());
        event = id == null ? withPath(event, template) : Events.withPathParameter(event, "id", id.toString());
        event = Events.withBody(event, body);
        event = Events.withQuery(event, query);
        return handler.handleRequest(event, new TestContext());
    }

    private static APIGatewayV2HTTPEvent withPath(APIGatewayV2HTTPEvent event, String path) {
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
        return event;
    }

    private APIGatewayV2HTTPResponse call(TestUser as, String method, String template, UUID id, String body) {
        return call(as, method, template, id, body, Map.of());
    }

    private static JsonNode json(APIGatewayV2HTTPResponse response, int status) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        return Json.read(response.getBody());
    }

    private static List<String> fields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

    private Upload upload(List<String> styles) {
        return db.createUpload(user.id(), project, "living room.jpg", "image/jpeg", 2_000_000, "living_room", styles);
    }

    private Upload uploaded(List<String> styles) {
        return db.markUploaded(upload(styles));
    }

    private void makeReady(Image image) {
        db.markReady(image);
    }

    private void makeFailed(Image image) {
        db.markFailed(image);
    }

    private long queuedForDeletion(String key) {
        return db.queryLong("SELECT count(*) FROM storage_deletions WHERE s3_key = ?", key);
    }

    private long activeReservations(UUID userId) {
        return db.queryLong("SELECT count(*) FROM usage_reservations WHERE user_id = ? AND status <> 'released'", userId);
    }

    // ---------------------------------------------------------------- /v1/me

    @Test
    void aNewUsersProfileHasEveryFieldAndTheDefaultPreferences() {
        JsonNode me = json(call(user, "GET", "/v1/me", null, null), 200);

        assertThat(me.path("id").asText()).isEqualTo(user.id().toString());
        assertThat(me.path("email").asText()).isEqualTo(user.email());
        for (String field : List.of("full_name", "company_name", "phone", "billing_address")) {
            assertThat(me.has(field)).as(field).isTrue();
            assertThat(me.get(field).isNull()).as(field).isTrue();
        }
        assertThat(me.path("preferences").path("disclosure_label").asBoolean()).isTrue();
        assertThat(me.path("preferences").get("default_style").isNull()).isTrue();
        assertThat(me.path("role").asText()).isEqualTo("user");
        assertThat(me.path("plan").asText()).isEqualTo("free");
    }

    @Test
    void anAdminTokenShowsTheAdminRole() {
        APIGatewayV2HTTPEvent event = Events.as(Events.http("apigw/http_api_get_image.json"), user);
        event.setRouteKey("GET /v1/me");
        event.getRequestContext().setRouteKey("GET /v1/me");
        Map<String, String> claims = new HashMap<>(event.getRequestContext().getAuthorizer().getJwt().getClaims());
        claims.put(Identity.DEFAULT_ROLES_CLAIM, "[admin]");
        event.getRequestContext().getAuthorizer().getJwt().setClaims(claims);

        JsonNode me = json(handler.handleRequest(event, new TestContext()), 200);

        assertThat(me.path("role").asText()).isEqualTo("admin");
    }

    @Test
    void patchingMeMergesOmittedFieldsStayNullClearsAndPreferencesMergeByKey() {
        json(call(user, "PATCH", "/v1/me", null, """
                {"full_name": "  Dana Whitfield ", "phone": "+1 (415) 555-0134",
                 "billing_address": {"line1": "1 Market St", "city": "San Francisco", "region": "CA",
                                     "postal_code": "94105", "country": "us"},
                 "preferences": {"default_room_type": "bedroom", "default_style": "coastal"}}"""), 200);

        JsonNode me = json(call(user, "PATCH", "/v1/me", null, """
                {"phone": null, "company_name": "Harbour Realty",
                 "preferences": {"disclosure_label": false, "default_style": null}}"""), 200);

        assertThat(me.path("full_name").asText()).isEqualTo("Dana Whitfield");
        assertThat(me.get("phone").isNull()).isTrue();
        assertThat(me.path("company_name").asText()).isEqualTo("Harbour Realty");
        assertThat(me.path("billing_address").path("country").asText()).isEqualTo("US");
        assertThat(me.path("billing_address").path("postal_code").asText()).isEqualTo("94105");
        assertThat(me.path("preferences").path("default_room_type").asText()).isEqualTo("bedroom");
        assertThat(me.path("preferences").get("default_style").isNull()).isTrue();
        assertThat(me.path("preferences").path("disclosure_label").asBoolean()).isFalse();
        assertThat(json(call(user, "GET", "/v1/me", null, null), 200)).isEqualTo(me);

        JsonNode reset = json(call(user, "PATCH", "/v1/me", null,
                "{\"preferences\": {\"disclosure_label\": null}, \"billing_address\": null}"), 200);
        assertThat(reset.path("preferences").path("disclosure_label").asBoolean()).isTrue();
        assertThat(reset.get("billing_address").isNull()).isTrue();
    }

    @Test
    void aBadProfilePatchListsEveryProblemAndChangesNothing() {
        json(call(user, "PATCH", "/v1/me", null, "{\"full_name\": \"Dana\"}"), 200);

        JsonNode problem = json(call(user, "PATCH", "/v1/me", null, """
                {"nickname": "dw", "full_name": "", "phone": "call me", "billing_address": {"line1": "1 Market St", "zip": "1"},
                 "preferences": {"default_style": "gothic", "theme": "dark", "disclosure_label": "yes"}}"""), 422);

        assertThat(fields(problem)).containsExactlyInAnyOrder("nickname", "full_name", "phone",
                "billing_address.zip", "billing_address.city", "billing_address.country",
                "preferences.default_style", "preferences.theme", "preferences.disclosure_label");
        assertThat(json(call(user, "GET", "/v1/me", null, null), 200).path("full_name").asText()).isEqualTo("Dana");
    }

    // ---------------------------------------------------------------- projects

    @Test
    void aProjectIsRenamedByItsOwnerOnly() {
        JsonNode renamed = json(call(user, "PATCH", "/v1/projects/{id}", project, "{\"name\": \" 14 Harbour View \"}"), 200);

        assertThat(renamed.path("name").asText()).isEqualTo("14 Harbour View");
        json(call(stranger, "PATCH", "/v1/projects/{id}", project, "{\"name\": \"Mine now\"}"), 404);
        json(call(user, "PATCH", "/v1/projects/{id}", project, "{\"name\": \"\"}"), 422);
        assertThat(db.queryString("SELECT name FROM projects WHERE id = ?", project)).isEqualTo("14 Harbour View");
    }

    @Test
    void deletingAProjectRemovesItsRowsQueuesItsFilesAndRefundsOnlyImagesThatNeverRan() {
        Upload waiting = upload(List.of("modern"));
        Upload done = uploaded(List.of("coastal"));
        makeReady(done.image());
        String stagedKey = db.queryString("SELECT staged_key FROM images WHERE id = ?", done.image().id());

        json(call(stranger, "DELETE", "/v1/projects/{id}", project, null), 404);
        assertThat(db.queryLong("SELECT count(*) FROM originals WHERE project_id = ?", project)).isEqualTo(2);

        APIGatewayV2HTTPResponse deleted = call(user, "DELETE", "/v1/projects/{id}", project, null);

        assertThat(deleted.getStatusCode()).isEqualTo(204);
        assertThat(db.queryLong("SELECT count(*) FROM projects WHERE id = ?", project)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM images WHERE project_id = ?", project)).isZero();
        // S3 is unreachable here: every file stays queued for the sweep, none is forgotten.
        assertThat(queuedForDeletion(waiting.original().s3Key())).isEqualTo(1);
        assertThat(queuedForDeletion(done.original().s3Key())).isEqualTo(1);
        assertThat(queuedForDeletion(stagedKey)).isEqualTo(1);
        // The ready image stays counted (a result is never refunded); the one never uploaded comes back.
        assertThat(activeReservations(user.id())).isEqualTo(1);
        json(call(user, "DELETE", "/v1/projects/{id}", project, null), 404);
    }

    // ---------------------------------------------------------------- originals

    @Test
    void anOriginalIsReadWithItsImagesByItsOwnerOnly() {
        Upload upload = uploaded(List.of("modern", "coastal"));

        JsonNode original = json(call(user, "GET", "/v1/originals/{id}", upload.original().id(), null), 200);

        assertThat(original.path("status").asText()).isEqualTo("uploaded");
        assertThat(original.path("images")).hasSize(2);
        assertThat(original.path("images").get(0).path("urls").path("original").asText()).startsWith("https://");
        json(call(stranger, "GET", "/v1/originals/{id}", upload.original().id(), null), 404);
        json(call(user, "GET", "/v1/originals/{id}", UUID.randomUUID(), null), 404);
    }

    @Test
    void deletingAnOriginalQueuesItsFileAndItsImagesFiles() {
        Upload upload = uploaded(List.of("modern", "coastal"));
        makeReady(upload.images().get(0));
        String stagedKey = db.queryString("SELECT staged_key FROM images WHERE id = ?", upload.images().get(0).id());

        assertThat(call(stranger, "DELETE", "/v1/originals/{id}", upload.original().id(), null).getStatusCode()).isEqualTo(404);
        assertThat(call(user, "DELETE", "/v1/originals/{id}", upload.original().id(), null).getStatusCode()).isEqualTo(204);

        assertThat(db.queryLong("SELECT count(*) FROM images WHERE original_id = ?", upload.original().id())).isZero();
        assertThat(queuedForDeletion(upload.original().s3Key())).isEqualTo(1);
        assertThat(queuedForDeletion(stagedKey)).isEqualTo(1);
        // The queued image never ran: its unit comes back; the ready one stays spent.
        assertThat(activeReservations(user.id())).isEqualTo(1);
    }

    @Test
    void updatedSinceListsOnlyOriginalsThatChangedOrWhoseImagesDid() throws Exception {
        Upload quiet = uploaded(List.of("modern"));
        Upload busy = uploaded(List.of("coastal"));
        Thread.sleep(20);
        Instant since = Instant.now();
        Thread.sleep(20);
        makeFailed(busy.image());

        JsonNode page = json(call(user, "GET", "/v1/projects/{id}/originals", project, null,
                Map.of("updated_since", since.toString())), 200);

        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("id").asText()).isEqualTo(busy.original().id().toString());
        assertThat(page.path("items").get(0).path("images").get(0).path("status").asText()).isEqualTo("failed");
        JsonNode all = json(call(user, "GET", "/v1/projects/{id}/originals", project, null, Map.of()), 200);
        assertThat(all.path("items")).hasSize(2);
        assertThat(quiet.original().id()).isNotNull();
    }

    @Test
    void aMalformedUpdatedSinceIs422() {
        JsonNode problem = json(call(user, "GET", "/v1/projects/{id}/originals", project, null,
                Map.of("updated_since", "yesterday", "limit", "0")), 422);

        assertThat(fields(problem)).containsExactlyInAnyOrder("updated_since", "limit");
    }

    // ---------------------------------------------------------------- re-stage

    @Test
    void reStagingAnUploadedOriginalQueuesANewImageWithTheSameRoomAndReservesQuota() {
        Upload upload = uploaded(List.of("modern"));
        long before = activeReservations(user.id());

        JsonNode image = json(call(user, "POST", "/v1/originals/{id}/images", upload.original().id(),
                "{\"style\": \"coastal\", \"mode\": \"declutter_and_stage\", \"seed\": 421337}"), 201);

        assertThat(image.path("status").asText()).isEqualTo("queued");
        assertThat(image.path("style").asText()).isEqualTo("coastal");
        assertThat(image.path("room_type").asText()).isEqualTo("living_room");
        assertThat(image.path("mode").asText()).isEqualTo("declutter_and_stage");
        assertThat(image.path("seed").asLong()).isEqualTo(421337);
        assertThat(image.path("original_id").asText()).isEqualTo(upload.original().id().toString());
        assertThat(activeReservations(user.id())).isEqualTo(before + 1);
        // SQS is unreachable here: the image stays queued for the sweep to send, and the answer is still 201.
        assertThat(db.queryString("SELECT status FROM images WHERE id = ?::uuid", image.path("id").asText())).isEqualTo("queued");
    }

    @Test
    void reStagingAPhotoThatNeverArrivedIs409AndCreatesNothing() {
        Upload upload = upload(List.of("modern"));

        json(call(user, "POST", "/v1/originals/{id}/images", upload.original().id(), "{\"style\": \"coastal\"}"), 409);

        assertThat(db.queryLong("SELECT count(*) FROM images WHERE original_id = ?", upload.original().id())).isEqualTo(1);
        json(call(stranger, "POST", "/v1/originals/{id}/images", upload.original().id(), "{\"style\": \"coastal\"}"), 404);
    }

    @Test
    void aBadReStageListsEveryProblem() {
        Upload upload = uploaded(List.of("modern"));

        JsonNode problem = json(call(user, "POST", "/v1/originals/{id}/images", upload.original().id(),
                "{\"room_type\": \"garage\", \"mode\": \"paint\", \"prompt\": \"short\", \"seed\": 0, \"styles\": [\"modern\"]}"), 422);

        assertThat(fields(problem)).containsExactlyInAnyOrder("room_type", "style", "mode", "prompt", "seed", "styles");
    }

    @Test
    void reStagingWithNoQuotaLeftIs402AndCreatesNothing() {
        Upload upload = uploaded(List.of("modern"));
        db.useQuota(user.id(), 9);

        json(call(user, "POST", "/v1/originals/{id}/images", upload.original().id(), "{\"style\": \"coastal\"}"), 402);

        assertThat(db.queryLong("SELECT count(*) FROM images WHERE original_id = ?", upload.original().id())).isEqualTo(1);
    }

    // ---------------------------------------------------------------- images

    @Test
    void onlyAFailedImageCanBeRetriedAndARetryReservesQuotaAgain() {
        Upload upload = uploaded(List.of("modern", "coastal"));
        json(call(user, "POST", "/v1/images/{id}/retry", upload.images().get(1).id(), null), 409);
        makeFailed(upload.image());
        long before = activeReservations(user.id());

        JsonNode image = json(call(user, "POST", "/v1/images/{id}/retry", upload.image().id(), null), 202);

        assertThat(image.path("status").asText()).isEqualTo("queued");
        assertThat(image.has("error")).isFalse();
        assertThat(activeReservations(user.id())).isEqualTo(before + 1);
        assertThat(db.queryString("SELECT prediction_id FROM images WHERE id = ?", upload.image().id())).isNull();
        json(call(user, "POST", "/v1/images/{id}/retry", upload.image().id(), null), 409);
        json(call(stranger, "POST", "/v1/images/{id}/retry", upload.image().id(), null), 404);
    }

    @Test
    void aRetryWithNoQuotaLeftIs402AndTheImageStaysFailed() {
        Upload upload = uploaded(List.of("modern"));
        makeFailed(upload.image());
        db.setPlan(user.id(), "free");
        db.useQuota(user.id(), 10);

        json(call(user, "POST", "/v1/images/{id}/retry", upload.image().id(), null), 402);

        assertThat(db.queryString("SELECT status FROM images WHERE id = ?", upload.image().id())).isEqualTo("failed");
    }

    @Test
    void deletingAnImageQueuesItsStagedFileOnlyAndDoesNotRefundIt() {
        Upload upload = uploaded(List.of("modern", "coastal"));
        makeReady(upload.image());
        String stagedKey = db.queryString("SELECT staged_key FROM images WHERE id = ?", upload.image().id());
        long before = activeReservations(user.id());

        json(call(stranger, "DELETE", "/v1/images/{id}", upload.image().id(), null), 404);
        assertThat(call(user, "DELETE", "/v1/images/{id}", upload.image().id(), null).getStatusCode()).isEqualTo(204);

        assertThat(db.queryLong("SELECT count(*) FROM images WHERE id = ?", upload.image().id())).isZero();
        assertThat(queuedForDeletion(stagedKey)).isEqualTo(1);
        assertThat(queuedForDeletion(upload.original().s3Key())).isZero();
        assertThat(activeReservations(user.id())).isEqualTo(before);
        json(call(user, "GET", "/v1/images/{id}", upload.image().id(), null), 404);
    }
}
