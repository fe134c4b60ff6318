package ai.realstaging.local;

// end-to-end scenarios of the walking skeleton, run over HTTP against a local stack (real PostgreSQL
// from DATABASE_URL or embedded, Replicate stand-in, local token issuer); subclasses choose S3 and SQS.
// Every response the API gives is checked against openapi.yaml (an undocumented status fails the test).

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.ResponseContract;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WalkingSkeletonScenarios {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ResponseContract CONTRACT = ResponseContract.ofRepository();

    LocalStack stack;
    DatabaseUrl db;
    /** Users are per class: subclasses share one test database within a JVM. */
    private final String userSuffix = "-" + getClass().getSimpleName().toLowerCase();

    /** The S3 and SQS endpoint to run against, or null for the in-JVM emulators. */
    abstract String awsEndpoint();

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        db = TestDatabase.shared().url();
        LocalStack.Options options = new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), awsEndpoint(), null, null, home);
        stack = LocalStack.start(options);
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    /** A client of the stack's API with this bearer token (null for none) whose every response is held to openapi.yaml. */
    ApiClient client(String token) {
        return new ApiClient(HTTP, stack.apiUrl(), token, CONTRACT::check);
    }

    private ApiClient as(String user) {
        return client(stack.issuer().mint(user + userSuffix, false, Duration.ofHours(1)));
    }

    private String newProject(ApiClient api) throws Exception {
        ApiClient.Reply reply = api.post("/v1/projects", Map.of("name", "  Maple Street 12  "));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.body().path("name").asText()).isEqualTo("Maple Street 12");
        return reply.body().path("id").asText();
    }

    private static Map<String, Object> upload(String filename, String type, long size, String... styles) {
        return Map.of("filename", filename, "content_type", type, "size_bytes", size,
                "room_type", "living_room", "styles", List.of(styles));
    }

    private static JsonNode awaitImage(ApiClient api, String imageId, String... terminal) throws Exception {
        return api.awaitImage(imageId, Duration.ofSeconds(10), terminal);
    }


    @Test
    void aPhotoIsStagedFromUploadToReadyAndTheStagedFileDiffers() throws Exception {
        ApiClient api = as("alice");
        String projectId = newProject(api);
        byte[] photo = Photos.emptyRoom(640, 480, "jpg");

        ApiClient.Reply started = api.post("/v1/projects/" + projectId + "/uploads",
                upload("Living Room.jpg", "image/jpeg", photo.length, "modern", "scandinavian"));
        assertThat(started.status()).isEqualTo(201);
        JsonNode body = started.body();
        assertThat(body.path("original").path("status").asText()).isEqualTo("awaiting_upload");
        assertThat(body.path("images")).hasSize(2);
        assertThat(body.path("upload").path("method").asText()).isEqualTo("PUT");
        assertThat(body.path("upload").path("headers").path("Content-Type").asText()).isEqualTo("image/jpeg");
        assertThat(body.path("upload").path("headers").path("Content-Length").asText()).isEqualTo(String.valueOf(photo.length));
        assertThat(Instant.parse(body.path("upload").path("expires_at").asText()))
                .isBetween(Instant.now().plusSeconds(14 * 60), Instant.now().plusSeconds(16 * 60));

        assertThat(api.upload(body.path("upload"), photo)).isEqualTo(200);

        for (JsonNode image : body.path("images")) {
            JsonNode ready = awaitImage(api, image.path("id").asText(), "ready", "failed");
            assertThat(ready.path("status").asText()).isEqualTo("ready");
            assertThat(ready.path("model").asText()).isEqualTo("qwen-image-edit");
            HttpResponse<byte[]> staged = api.download(ready.path("urls").path("staged").asText());
            assertThat(staged.statusCode()).isEqualTo(200);
            assertThat(staged.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            HttpResponse<byte[]> original = api.download(ready.path("urls").path("original").asText());
            assertThat(original.body()).isEqualTo(photo);
            assertThat(Photos.meanDifference(photo, staged.body())).isGreaterThan(5.0);
        }

        JsonNode originals = api.get("/v1/projects/" + projectId + "/originals").body();
        assertThat(originals.path("items")).hasSize(1);
        assertThat(originals.path("items").path(0).path("status").asText()).isEqualTo("uploaded");
        assertThat(originals.path("items").path(0).path("images")).hasSize(2);
    }

    @Test
    void anotherUserGetsNotFoundForTheProjectAndTheImage() throws Exception {
        ApiClient owner = as("owner");
        String projectId = newProject(owner);
        byte[] photo = Photos.emptyRoom(64, 48, "png");
        JsonNode started = owner.post("/v1/projects/" + projectId + "/uploads",
                upload("room.png", "image/png", photo.length, "modern")).body();
        String imageId = started.path("images").path(0).path("id").asText();

        ApiClient stranger = as("stranger");
        assertThat(stranger.get("/v1/projects/" + projectId).status()).isEqualTo(404);
        assertThat(stranger.get("/v1/projects/" + projectId + "/originals").status()).isEqualTo(404);
        assertThat(stranger.get("/v1/images/" + imageId).status()).isEqualTo(404);
        ApiClient.Reply upload = stranger.post("/v1/projects/" + projectId + "/uploads",
                upload("room.png", "image/png", photo.length, "modern"));
        assertThat(upload.status()).isEqualTo(404);
        assertThat(upload.contentType()).startsWith("application/problem+json");
        assertThat(stranger.get("/v1/projects").body().path("items")).isEmpty();
    }

    @Test
    void missingOrBadTokensAreRefused() throws Exception {
        assertThat(client(null).get("/v1/projects").status()).isEqualTo(401);
        assertThat(client("not-a-jwt").get("/v1/projects").status()).isEqualTo(401);
        TokenIssuer issuer = stack.issuer();
        String wrongIssuer = issuer.mint("https://evil.example/", TokenIssuer.AUDIENCE, "local|x", Instant.now().plusSeconds(600));
        String wrongAudience = issuer.mint(TokenIssuer.ISSUER, "https://other.api", "local|x", Instant.now().plusSeconds(600));
        String expired = issuer.mint(TokenIssuer.ISSUER, TokenIssuer.AUDIENCE, "local|x", Instant.now().minusSeconds(5));
        for (String token : List.of(wrongIssuer, wrongAudience, expired)) {
            assertThat(client(token).get("/v1/projects").status()).isEqualTo(401);
        }
        // API Gateway's authorizer needs a kid naming a JWKS key, and an expiry.
        String noKid = issuer.signAsIs(com.auth0.jwt.JWT.create().withIssuer(TokenIssuer.ISSUER)
                .withAudience(TokenIssuer.AUDIENCE).withSubject("local|x").withExpiresAt(Instant.now().plusSeconds(600)));
        String noExpiry = issuer.signAsIs(com.auth0.jwt.JWT.create().withKeyId(issuer.keyId())
                .withIssuer(TokenIssuer.ISSUER).withAudience(TokenIssuer.AUDIENCE).withSubject("local|x"));
        for (String token : List.of(noKid, noExpiry)) {
            assertThat(client(token).get("/v1/projects").status()).isEqualTo(401);
        }
        String good = issuer.mint("alice", false, Duration.ofMinutes(5));
        String tampered = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(client(tampered).get("/v1/projects").status()).isEqualTo(401);
        assertThat(client(null).get("/v1/health").status()).isEqualTo(200);
        // Public by design: what a sign-up page shows.
        assertThat(client(null).get("/v1/catalog").status()).isEqualTo(200);
        assertThat(client(null).get("/v1/billing/plans").status()).isEqualTo(200);
        assertThat(client(null).get("/v1/billing/usage").status()).isEqualTo(401);
    }

    @Test
    void badUploadsGetTheDocumentedErrorsAndNothingIsHalfCreated() throws Exception {
        ApiClient api = as("careful");
        String projectId = newProject(api);
        String path = "/v1/projects/" + projectId + "/uploads";

        ApiClient.Reply gif = api.post(path, upload("room.gif", "image/gif", 1000, "modern"));
        assertThat(gif.status()).isEqualTo(415);
        ApiClient.Reply huge = api.post(path, upload("room.jpg", "image/jpeg", 10L * 1024 * 1024 + 1, "modern"));
        assertThat(huge.status()).isEqualTo(413);
        ApiClient.Reply invalid = api.post(path, Map.of("filename", "room.png", "content_type", "image/jpeg",
                "size_bytes", 0, "room_type", "garage", "styles", List.of()));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body().path("errors").findValuesAsText("field"))
                .contains("filename", "size_bytes", "room_type", "styles");
        assertThat(api.post(path, "{not json").status()).isEqualTo(400);
        assertThat(api.post("/v1/projects/" + java.util.UUID.randomUUID() + "/uploads",
                upload("room.jpg", "image/jpeg", 1000, "modern")).status()).isEqualTo(404);
        assertThat(countRows("originals", "careful")).isZero();

        // Bytes that are not the declared type: accepted by storage, rejected by verification, quota back.
        byte[] png = Photos.emptyRoom(64, 48, "png");
        JsonNode started = api.post(path, upload("room.jpg", "image/jpeg", png.length, "modern")).body();
        assertThat(api.upload(started.path("upload"), png)).isEqualTo(200);
        JsonNode failed = awaitImage(api, started.path("images").path(0).path("id").asText(), "failed", "ready");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("upload_rejected");
        JsonNode original = api.get("/v1/projects/" + projectId + "/originals").body().path("items").path(0);
        assertThat(original.path("status").asText()).isEqualTo("rejected");
        assertThat(original.path("rejection").path("code").asText()).isEqualTo("type_mismatch");
        assertThat(countRows("usage_reservations WHERE status <> 'released' AND user_id IN "
                + "(SELECT id FROM users WHERE auth_sub = ?)", "careful")).isZero();
    }

    @Test
    void anExhaustedQuotaIsRefusedWithNothingCreated() throws Exception {
        ApiClient api = as("thrifty");
        String projectId = newProject(api);
        String path = "/v1/projects/" + projectId + "/uploads";
        // The free plan allows 10 images a month: 5 + 5 fit, one more does not.
        assertThat(api.post(path, upload("a.jpg", "image/jpeg", 1000,
                "modern", "contemporary", "traditional", "industrial", "scandinavian")).status()).isEqualTo(201);
        assertThat(api.post(path, upload("b.jpg", "image/jpeg", 1000,
                "minimalist", "coastal", "farmhouse", "mid_century", "luxury")).status()).isEqualTo(201);
        ApiClient.Reply refused = api.post(path, upload("c.jpg", "image/jpeg", 1000, "modern"));
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.body().path("detail").asText()).contains("0 of the 10");
        assertThat(countRows("originals", "thrifty")).isEqualTo(2);
        assertThat(countRows("images", "thrifty")).isEqualTo(10);
    }

    private int countRows(String tableAndWhere, String user) throws Exception {
        String sql = tableAndWhere.contains("?")
                ? "SELECT count(*) FROM " + tableAndWhere
                : "SELECT count(*) FROM " + tableAndWhere + " WHERE user_id IN (SELECT id FROM users WHERE auth_sub = ?)";
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties());
             var ps = c.prepareStatement(sql)) {
            ps.setString(1, "local|" + user + userSuffix);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
