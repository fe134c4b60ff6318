package ai.realstaging.local;

// end-to-end: every route of template.yaml's HTTP API, through the local stack in this JVM (real PostgreSQL
// from DATABASE_URL or embedded, in-JVM S3 and SQS, Replicate stand-in), tried as an attacker would: bad
// tokens, another user's ids, malformed bodies. Routes added to the template later are covered as they come.

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.OpenApi;
import ai.realstaging.local.contract.ResponseContract;
import ai.realstaging.local.contract.ResponseLeaks;
import ai.realstaging.local.template.SamTemplate;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteSecurityE2EIT {
    /** Path prefixes whose ids name no user's resource (admin resources are global; the role check is theirs). */
    private static final List<String> NOT_OWNED = List.of("/v1/admin/");

    private static final String OWNER = "security-owner";
    private static final String STRANGER = "security-stranger";
    private static final String ADMIN = "security-admin";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ResponseContract contract = ResponseContract.ofRepository();
    private LocalStack stack;
    private List<SamTemplate.HttpRoute> routes;
    /** The owner's real resources by the collection that names them in a path: projects, originals, images. */
    private final Map<String, String> owned = new LinkedHashMap<>();

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), null, null, null, home));
        routes = SamTemplate.load(Cli.root().resolve("template.yaml")).functions().stream()
                .flatMap(f -> f.routes().stream()).toList();

        // One project with one uploaded photo staged in one style: every kind of id a path can hold.
        String project = send("POST", "/v1/projects", token(OWNER), "{\"name\":\"Security\"}").json().path("id").asText();
        byte[] photo = Photos.emptyRoom(64, 48, "png");
        JsonNode started = send("POST", "/v1/projects/" + project + "/uploads", token(OWNER), Json.write(Map.of(
                "filename", "room.png", "content_type", "image/png", "size_bytes", photo.length,
                "room_type", "bedroom", "styles", List.of("modern")))).json();
        assertThat(new ApiClient(http, stack.apiUrl(), token(OWNER)).upload(started.path("upload"), photo)).isEqualTo(200);
        String image = started.path("images").path(0).path("id").asText();
        awaitReady(image);
        owned.put("projects", project);
        owned.put("originals", started.path("original").path("id").asText());
        owned.put("images", image);
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    @Test
    void theTemplateHasRoutesOfEveryKindTheseTestsCover() {
        // Guards the test factories below against passing on nothing.
        assertThat(routes).anyMatch(SamTemplate.HttpRoute::authorized).anyMatch(r -> !r.authorized())
                .anyMatch(r -> ownedParameter(r).isPresent()).anyMatch(r -> operation(r).takesBody());
    }

    // ------------------------------------------------------------------ tokens

    /** A token the gateway must refuse, and why. */
    private record BadToken(String name, Supplier<String> token) {}

    private List<BadToken> badTokens() {
        TokenIssuer issuer = stack.issuer();
        String subject = "local|" + OWNER;
        Instant soon = Instant.now().plusSeconds(600);
        return List.of(
                new BadToken("no token", () -> null),
                new BadToken("expired", () -> issuer.mint(TokenIssuer.ISSUER, TokenIssuer.AUDIENCE, subject,
                        Instant.now().minusSeconds(60))),
                new BadToken("wrong issuer", () -> issuer.mint("https://evil.example/", TokenIssuer.AUDIENCE, subject, soon)),
                new BadToken("wrong audience", () -> issuer.mint(TokenIssuer.ISSUER, "https://other.api", subject, soon)),
                // Everything right, the issuer's kid included, but signed by a key that is not the issuer's.
                new BadToken("bad signature", () -> JWT.create().withKeyId(issuer.keyId()).withIssuer(TokenIssuer.ISSUER)
                        .withAudience(TokenIssuer.AUDIENCE).withSubject(subject).withExpiresAt(soon)
                        .sign(otherKey())));
    }

    @TestFactory
    Stream<DynamicTest> everyAuthenticatedRouteRefusesBadTokens() {
        return routes.stream().filter(SamTemplate.HttpRoute::authorized).flatMap(route -> badTokens().stream()
                .map(bad -> DynamicTest.dynamicTest(key(route) + ": " + bad.name(), () -> {
                    Answer answer = send(route.method(), concrete(route, p -> UUID.randomUUID().toString()),
                            bad.token().get(), exampleBody(route));
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(401);
                    checked(answer);
                })));
    }

    @TestFactory
    Stream<DynamicTest> publicRoutesAnswerWithoutAToken() {
        return routes.stream().filter(r -> !r.authorized()).map(route -> DynamicTest.dynamicTest(key(route), () -> {
            Answer answer = send(route.method(), concrete(route, p -> UUID.randomUUID().toString()), null,
                    exampleBody(route));
            failIfUnrouted(route, answer);
            assertThat(answer.status()).as(answer.toString()).isNotEqualTo(401).isLessThan(500);
            checked(answer);
        }));
    }

    /** Admin routes check the role on the server (PRODUCT.md §8): a valid token without it gets 403. */
    @TestFactory
    Stream<DynamicTest> adminRoutesRefuseUsersWhoAreNotAdmins() {
        return routes.stream().filter(r -> r.path().startsWith("/v1/admin/")).map(route -> DynamicTest.dynamicTest(key(route), () -> {
            Answer answer = send(route.method(), concrete(route, p -> UUID.randomUUID().toString()), token(OWNER),
                    exampleBody(route));
            failIfUnrouted(route, answer);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(403);
            checked(answer);
        }));
    }

    // ------------------------------------------------------------------ other users' ids

    @TestFactory
    Stream<DynamicTest> anotherUsersIdIsAnsweredExactlyLikeAnUnknownId() {
        return routes.stream().filter(r -> r.path().contains("{"))
                .filter(r -> NOT_OWNED.stream().noneMatch(r.path()::startsWith))
                .map(route -> DynamicTest.dynamicTest(key(route), () -> {
                    assertThat(ownedParameter(route)).as("which of the owner's resources an id of " + route.path()
                            + " names: add its collection to 'owned' or its prefix to NOT_OWNED").isPresent();
                    String body = exampleBody(route);
                    Answer unknown = send(route.method(), concrete(route, p -> UUID.randomUUID().toString()),
                            token(STRANGER), body);
                    failIfUnrouted(route, unknown);
                    Answer someoneElses = send(route.method(), concrete(route, owned::get), token(STRANGER), body);

                    assertThat(someoneElses.status()).as(someoneElses.toString()).isEqualTo(404);
                    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
                    assertThat(someoneElses.contentType()).isEqualTo(unknown.contentType());
                    assertThat(withoutRequestId(someoneElses.json())).isEqualTo(withoutRequestId(unknown.json()));
                    checked(someoneElses);
                    checked(unknown);
                    ownerStillHasEverything();
                }));
    }

    /** Whatever the stranger tried, the owner's project, photo and image are there as they were. */
    private void ownerStillHasEverything() throws Exception {
        Answer project = send("GET", "/v1/projects/" + owned.get("projects"), token(OWNER), null);
        assertThat(project.status()).as(project.toString()).isEqualTo(200);
        Answer image = send("GET", "/v1/images/" + owned.get("images"), token(OWNER), null);
        assertThat(image.status()).as(image.toString()).isEqualTo(200);
        assertThat(image.json().path("status").asText()).isEqualTo("ready");
        JsonNode originals = send("GET", "/v1/projects/" + owned.get("projects") + "/originals", token(OWNER), null)
                .json().path("items");
        assertThat(originals).hasSize(1);
        assertThat(originals.path(0).path("id").asText()).isEqualTo(owned.get("originals"));
        assertThat(originals.path(0).path("images")).hasSize(1);
    }

    // ------------------------------------------------------------------ malformed bodies

    @TestFactory
    Stream<DynamicTest> malformedJsonIsABadRequest() {
        return routes.stream().filter(r -> operation(r).takesBody()).map(route -> DynamicTest.dynamicTest(key(route), () -> {
            // The caller's own ids, so that only the body can be wrong.
            String path = concrete(route, collection -> owned.getOrDefault(collection, UUID.randomUUID().toString()));
            String caller = route.path().startsWith("/v1/admin/") ? stack.issuer().mint(ADMIN, true, Duration.ofHours(1))
                    : route.authorized() ? token(OWNER) : null;
            Answer answer = send(route.method(), path, caller, "{\"name\": \"unterminated");
            failIfUnrouted(route, answer);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            checked(answer);
        }));
    }

    // ------------------------------------------------------------------ helpers

    /** One response as received. */
    private record Answer(String method, String path, int status, String contentType, Map<String, List<String>> headers,
                          String body) {
        JsonNode json() {
            return body == null || body.isEmpty() ? Json.MAPPER.missingNode() : Json.read(body);
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + contentType + " " + body;
        }
    }

    private Answer send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(method, path, response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                response.headers().map(), response.body());
    }

    /** Held to openapi.yaml, and giving nothing away. */
    private void checked(Answer answer) {
        contract.check(answer.method(), answer.path(), answer.status(), answer.contentType(), answer.headers(), answer.body());
        assertThat(ResponseLeaks.in(answer.body())).as(answer.toString()).isEmpty();
    }

    /** A 404 from the function's router ("no such route") says the template and the handler disagree, not the ids. */
    private static void failIfUnrouted(SamTemplate.HttpRoute route, Answer answer) {
        assertThat(answer.status() == 404 && answer.json().path("detail").asText()
                .equals("The route " + answer.method() + " " + answer.path() + " was not found"))
                .as("template.yaml routes " + key(route) + " to a function whose handler does not route it: " + answer)
                .isFalse();
    }

    private String token(String user) {
        return stack.issuer().mint(user, false, Duration.ofHours(1));
    }

    private static Algorithm otherKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(SamTemplate.HttpRoute route) {
        return route.method() + " " + route.path();
    }

    private OpenApi.Operation operation(SamTemplate.HttpRoute route) {
        return contract.api().operations().stream().filter(op -> op.key().equals(key(route))).findFirst()
                .orElseThrow(() -> new AssertionError(key(route) + " has no operation in openapi.yaml"));
    }

    /** The operation's request example (a valid body, so that a refusal is about the route), or none. */
    private String exampleBody(SamTemplate.HttpRoute route) {
        OpenApi.Operation op = operation(route);
        if (!op.takesBody()) return null;
        return op.requestExample().map(Json::write).orElseThrow(() -> new AssertionError(key(route) + " has no request example"));
    }

    /**
     * The owner's collection a route's path parameter names: the segment before it ("projects" for
     * /v1/projects/{id}/uploads), if the owner has such a resource.
     */
    private Optional<String> ownedParameter(SamTemplate.HttpRoute route) {
        String[] segments = route.path().split("/");
        for (int i = 1; i < segments.length; i++) {
            if (segments[i].startsWith("{")) {
                return owned.containsKey(segments[i - 1]) ? Optional.of(segments[i - 1]) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The route's path with each parameter replaced by {@code value} of the collection before it. */
    private static String concrete(SamTemplate.HttpRoute route, Function<String, String> value) {
        String[] segments = route.path().split("/");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < segments.length; i++) {
            out.add(segments[i].startsWith("{") ? value.apply(segments[i - 1]) : segments[i]);
        }
        return String.join("/", out);
    }

    private static JsonNode withoutRequestId(JsonNode problem) {
        if (!problem.isObject()) return problem;
        ObjectNode copy = problem.deepCopy();
        copy.remove("request_id");
        return copy;
    }

    private void awaitReady(String imageId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String status = null;
        while (System.nanoTime() < deadline) {
            status = send("GET", "/v1/images/" + imageId, token(OWNER), null).json().path("status").asText();
            if (status.equals("ready")) return;
            if (status.equals("failed")) break;
            Thread.sleep(100);
        }
        throw new AssertionError("the owner's image did not become ready in 20 s: " + status);
    }
}
