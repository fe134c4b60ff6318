// integration: real PostgreSQL (DATABASE_URL or embedded), offline SigV4 presigning; driven by events/apigw fixtures
package ai.realstaging.projects;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProjectsHandlerIT {
    private static final String BUCKET = "realstaging-media-test";
    private final TestDatabase db = TestDatabase.shared();
    private int closedPort;
    private Database database;
    private OfflineAws aws;
    private ProjectsHandler handler;
    private TestUser user;

    @BeforeEach
    void setUp() throws Exception {
        closedPort = OfflineAws.closedPort();
        aws = new OfflineAws();
        database = db.newDatabase();
        handler = handlerWith(database);
        user = db.createUser();
    }

    @AfterEach
    void tearDown() {
        database.close();
        aws.close();
    }

    private ProjectsHandler handlerWith(Database database) {
        return new ProjectsHandler(new ProjectService(database, aws.storage(BUCKET), aws.queue()), Identity.DEFAULT_ROLES_CLAIM);
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, new TestContext());
    }

    private APIGatewayV2HTTPEvent createProject(TestUser as, String body) {
        return Events.withBody(Events.as(Events.http("apigw/http_api_create_project.json"), as), body);
    }

    private APIGatewayV2HTTPEvent listProjects(TestUser as, Map<String, String> query) {
        return Events.withQuery(Events.as(Events.http("apigw/http_api_list_projects.json"), as), query);
    }

    private APIGatewayV2HTTPEvent getImage(TestUser as, UUID imageId) {
        return Events.withPathParameter(Events.as(Events.http("apigw/http_api_get_image.json"), as), "id", imageId.toString());
    }

    /** GET /v1/projects/{id} and /originals are not in events/: the list fixture re-routed, as API Gateway would send them. */
    private APIGatewayV2HTTPEvent projectRoute(TestUser as, String routeTemplate, UUID projectId) {
        APIGatewayV2HTTPEvent event = listProjects(as, Map.of());
        event.setRouteKey("GET " + routeTemplate);
        event.getRequestContext().setRouteKey("GET " + routeTemplate);
        return Events.withPathParameter(event, "id", projectId.toString());
    }

    private static JsonNode ok(APIGatewayV2HTTPResponse response, int status) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        return Json.read(response.getBody());
    }

    private static JsonNode problem(APIGatewayV2HTTPResponse response, int status, String type) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        JsonNode body = Json.read(response.getBody());
        assertThat(body.path("type").asText()).endsWith("/" + type);
        return body;
    }

    private static List<String> fields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

    @Test
    void creatingAProjectAnswers201WithItAndStoresItForTheCaller() {
        JsonNode project = ok(invoke(Events.as(Events.http("apigw/http_api_create_project.json"), user)), 201);

        assertThat(project.path("name").asText()).isEqualTo("12 Harbour View Road");
        assertThat(project.path("id").asText()).isNotBlank();
        assertThat(Instant.parse(project.path("created_at").asText())).isCloseTo(Instant.now(),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
        assertThat(project.has("updated_at")).isTrue();
        assertThat(db.queryString("SELECT name FROM projects WHERE id = ?::uuid AND user_id = ?",
                project.path("id").asText(), user.id())).isEqualTo("12 Harbour View Road");
    }

    @Test
    void theFirstRequestOfANewSubjectCreatesItsUser() {
        TestUser newcomer = new TestUser(null, "auth0|first-" + UUID.randomUUID(), "first@example.com");

        ok(invoke(createProject(newcomer, "{\"name\":\"First listing\"}")), 201);

        assertThat(db.queryString("SELECT email FROM users WHERE auth_sub = ?", newcomer.sub())).isEqualTo("first@example.com");
    }

    @Test
    void aProjectNameIsTrimmed() {
        assertThat(ok(invoke(createProject(user, "{\"name\":\"  Ocean Villa \\t\"}")), 201).path("name").asText())
                .isEqualTo("Ocean Villa");
    }

    @Test
    void aBlankMissingOrOverlongNameIs422AndNothingIsStored() {
        for (String body : List.of("{\"name\":\"   \"}", "{}", "{\"name\":42}", "{\"name\":\"" + "x".repeat(101) + "\"}")) {
            assertThat(fields(problem(invoke(createProject(user, body)), 422, "validation"))).as(body).containsExactly("name");
        }
        assertThat(ok(invoke(createProject(user, "{\"name\":\"" + "x".repeat(100) + "\"}")), 201).path("name").asText())
                .hasSize(100);
        assertThat(db.queryLong("SELECT count(*) FROM projects WHERE user_id = ?", user.id())).isEqualTo(1);
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() {
        problem(invoke(createProject(user, "name=Villa")), 400, "bad-request");
        problem(invoke(createProject(user, "[\"Villa\"]")), 400, "bad-request");
    }

    @Test
    void listingPagesThroughTheCallersProjectsNewestFirst() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) created.add(db.createProject(user.id(), "Listing " + i).toString());
        db.createProject(db.createUser().id(), "Someone else's");

        JsonNode first = ok(invoke(listProjects(user, Map.of("limit", "2"))), 200);
        JsonNode second = ok(invoke(listProjects(user, Map.of("limit", "2", "cursor", first.path("next_cursor").asText()))), 200);
        JsonNode third = ok(invoke(listProjects(user, Map.of("limit", "2", "cursor", second.path("next_cursor").asText()))), 200);

        List<String> seen = new ArrayList<>();
        for (JsonNode page : List.of(first, second, third)) page.path("items").forEach(p -> seen.add(p.path("id").asText()));
        assertThat(seen).containsExactlyElementsOf(created.reversed());
        assertThat(first.path("items")).hasSize(2);
        assertThat(third.path("items")).hasSize(1);
        assertThat(third.has("next_cursor")).as("next_cursor is present on the last page").isTrue();
        assertThat(third.get("next_cursor").isNull()).isTrue();
        assertThat(first.path("items").get(0).fieldNames()).toIterable().contains("id", "name", "created_at", "updated_at");
    }

    @Test
    void theDefaultPageIsTwenty() {
        for (int i = 0; i < 21; i++) db.createProject(user.id(), "P" + i);

        JsonNode page = ok(invoke(listProjects(user, Map.of())), 200);

        assertThat(page.path("items")).hasSize(20);
        assertThat(page.path("next_cursor").asText()).isNotBlank();
    }

    @Test
    void aNewUserHasAnEmptyList() {
        JsonNode page = ok(invoke(listProjects(user, Map.of("limit", "20"))), 200);

        assertThat(page.path("items")).isEmpty();
    }

    @Test
    void badPagingParametersAre422() {
        for (String limit : List.of("0", "101", "ten", "-3", "2.5")) {
            assertThat(fields(problem(invoke(listProjects(user, Map.of("limit", limit))), 422, "validation")))
                    .as(limit).containsExactly("limit");
        }
        assertThat(fields(problem(invoke(listProjects(user, Map.of("cursor", "garbage!"))), 422, "validation")))
                .containsExactly("cursor");
        assertThat(fields(problem(invoke(listProjects(user, Map.of("limit", "1000", "cursor", "nope"))), 422, "validation")))
                .containsExactlyInAnyOrder("limit", "cursor");
        assertThat(ok(invoke(listProjects(user, Map.of("limit", "100"))), 200).path("items").isArray()).isTrue();
    }

    @Test
    void aProjectIsReadByItsOwnerOnly() {
        UUID project = db.createProject(user.id(), "Mine");
        TestUser stranger = db.createUser();

        assertThat(ok(invoke(projectRoute(user, "/v1/projects/{id}", project)), 200).path("name").asText()).isEqualTo("Mine");
        problem(invoke(projectRoute(stranger, "/v1/projects/{id}", project)), 404, "not-found");
        problem(invoke(projectRoute(user, "/v1/projects/{id}", UUID.randomUUID())), 404, "not-found");
    }

    @Test
    void originalsAreListedWithTheirImagesGrouped() {
        UUID project = db.createProject(user.id(), "Gallery");
        TestDatabase.Upload a = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", List.of("modern", "coastal"));
        TestDatabase.Upload b = db.createUpload(user.id(), project, "b.png", "image/png", 200, "kitchen", List.of("luxury"));
        db.withConnection(c -> OriginalRepository.markUploaded(c, a.original().id(), 640, 480));

        JsonNode page = ok(invoke(projectRoute(user, "/v1/projects/{id}/originals", project)), 200);

        JsonNode items = page.path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).path("id").asText()).isEqualTo(a.original().id().toString());
        assertThat(items.get(0).path("status").asText()).isEqualTo("uploaded");
        assertThat(items.get(0).path("images")).hasSize(2);
        assertThat(items.get(0).path("images").get(0).path("urls").path("original").asText()).contains("X-Amz-Signature=");
        assertThat(items.get(1).path("id").asText()).isEqualTo(b.original().id().toString());
        assertThat(items.get(1).path("images")).hasSize(1);
        assertThat(items.get(1).path("images").get(0).path("style").asText()).isEqualTo("luxury");
        problem(invoke(projectRoute(db.createUser(), "/v1/projects/{id}/originals", project)), 404, "not-found");
    }

    @Test
    void anImageIsShownToItsOwnerWithAShortLivedUrlOfItsOriginal() {
        UUID project = db.createProject(user.id(), "Images");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 100, "office", List.of("japandi"));
        db.withConnection(c -> OriginalRepository.markUploaded(c, upload.original().id(), 640, 480));

        JsonNode image = ok(invoke(getImage(user, upload.image().id())), 200);

        assertThat(image.path("id").asText()).isEqualTo(upload.image().id().toString());
        assertThat(image.path("original_id").asText()).isEqualTo(upload.original().id().toString());
        assertThat(image.path("project_id").asText()).isEqualTo(project.toString());
        assertThat(image.path("room_type").asText()).isEqualTo("office");
        assertThat(image.path("style").asText()).isEqualTo("japandi");
        assertThat(image.path("status").asText()).isEqualTo("awaiting_upload");
        String url = image.path("urls").path("original").asText();
        assertThat(url).contains(upload.original().s3Key()).contains("X-Amz-Expires=900");
        assertThat(Instant.parse(image.path("urls").path("expires_at").asText()))
                .isBetween(Instant.now().plus(Duration.ofMinutes(14)), Instant.now().plus(Duration.ofMinutes(16)));
        assertThat(image.has("error")).isFalse();
    }

    @Test
    void aFailedImageCarriesItsErrorCodeAndMessage() {
        UUID project = db.createProject(user.id(), "Failed");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 100, "office", List.of("modern"));
        db.withConnection(c -> ImageRepository.markFailed(c, upload.image().id(), "upload_rejected",
                "The file is a PNG image but was declared as image/jpeg"));

        JsonNode image = ok(invoke(getImage(user, upload.image().id())), 200);

        assertThat(image.path("status").asText()).isEqualTo("failed");
        assertThat(image.path("error").path("code").asText()).isEqualTo("upload_rejected");
        assertThat(image.path("error").path("message").asText()).contains("PNG");
    }

    @Test
    void anotherUsersImageIs404LikeAMissingOne() {
        UUID project = db.createProject(user.id(), "Private");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 100, "office", List.of("modern"));
        TestUser stranger = db.createUser();

        JsonNode theirs = problem(invoke(getImage(stranger, upload.image().id())), 404, "not-found");
        JsonNode missing = problem(invoke(getImage(stranger, UUID.randomUUID())), 404, "not-found");

        assertThat(theirs.path("detail")).isEqualTo(missing.path("detail"));
        assertThat(theirs.path("title")).isEqualTo(missing.path("title"));
    }

    @Test
    void withoutAuthorizerClaimsItIs401() {
        problem(invoke(Events.anonymous(Events.http("apigw/http_api_list_projects.json"))), 401, "unauthorized");
        problem(invoke(Events.anonymous(getImage(user, UUID.randomUUID()))), 401, "unauthorized");
    }

    @Test
    void healthIs200WhenTheDatabaseAnswers() {
        JsonNode health = ok(invoke(Events.http("apigw/http_api_health.json")), 200);

        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("database").asText()).isEqualTo("ok");
    }

    @Test
    void healthIs503WhenTheDatabaseIsDown() {
        Database down = new Database(ConnectionFactory.plain(
                DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/nothing")));
        handler = handlerWith(down);

        APIGatewayV2HTTPResponse response = invoke(Events.http("apigw/http_api_health.json"));

        assertThat(response.getStatusCode()).isEqualTo(503);
        JsonNode body = Json.read(response.getBody());
        assertThat(body.path("database").asText()).isEqualTo("unavailable");
        assertThat(response.getBody()).doesNotContain("refused", "127.0.0.1");
    }

    @Test
    void aDatabaseThatIsDownIs503ForResourcesToo() {
        Database down = new Database(ConnectionFactory.plain(
                DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/nothing")));
        handler = handlerWith(down);

        JsonNode body = problem(invoke(listProjects(user, Map.of())), 503, "dependency-unavailable");

        assertThat(body.toString()).doesNotContain("refused", "127.0.0.1", "PSQL");
    }

    /** A GET route without a fixture of its own: the list fixture re-routed, as API Gateway would send it. */
    private APIGatewayV2HTTPEvent getRoute(TestUser as, String path) {
        APIGatewayV2HTTPEvent event = listProjects(as, Map.of());
        event.setRouteKey("GET " + path);
        event.getRequestContext().setRouteKey("GET " + path);
        event.setRawPath(path);
        return event;
    }

    @Test
    void theCatalogListsRoomTypesStylesModesAndLimits() {
        JsonNode catalog = ok(invoke(getRoute(user, "/v1/catalog")), 200);

        assertThat(catalog.path("room_types").findValuesAsText("id")).hasSize(8).contains("living_room", "outdoor");
        assertThat(catalog.path("styles").findValuesAsText("id")).hasSizeGreaterThanOrEqualTo(10).contains("scandinavian");
        assertThat(catalog.path("modes").findValuesAsText("id")).containsExactly("stage", "declutter", "declutter_and_stage");
        assertThat(catalog.path("limits").path("max_upload_bytes").asLong()).isEqualTo(10L * 1024 * 1024);
        assertThat(catalog.path("limits").path("content_types").toString()).contains("image/jpeg", "image/png", "image/webp");
        assertThat(catalog.path("limits").path("max_styles").asInt()).isEqualTo(5);
        assertThat(catalog.path("limits").path("max_batch").asInt()).isEqualTo(50);
    }

    @Test
    void thePlansComeFromTheDatabaseInOrder() {
        JsonNode plans = ok(invoke(getRoute(user, "/v1/billing/plans")), 200);

        assertThat(plans.path("items").findValuesAsText("id")).containsExactly("free", "pro", "business");
        assertThat(plans.path("items").findValues("monthly_images")).extracting(JsonNode::asInt).containsExactly(10, 100, 500);
        assertThat(plans.path("items").findValues("price_cents")).extracting(JsonNode::asInt).containsExactly(0, 2900, 9900);
    }

    @Test
    void usageCountsReservedImagesInTheCalendarMonth() {
        UUID project = db.createProject(user.id(), "Usage");
        db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 1000, "living_room", List.of("modern", "coastal"));

        JsonNode usage = ok(invoke(getRoute(user, "/v1/billing/usage")), 200);

        assertThat(usage.path("plan").asText()).isEqualTo("free");
        assertThat(usage.path("limit").asInt()).isEqualTo(10);
        assertThat(usage.path("used").asInt()).isEqualTo(2);
        assertThat(usage.path("remaining").asInt()).isEqualTo(8);
        Instant start = Instant.parse(usage.path("period_start").asText());
        assertThat(start.atZone(java.time.ZoneOffset.UTC).getDayOfMonth()).isEqualTo(1);
        assertThat(Instant.parse(usage.path("period_end").asText())).isAfter(Instant.now());
    }
}
