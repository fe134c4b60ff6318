// unit: routing and problem+json mapping, driven by events/apigw fixtures; no database
package ai.realstaging.common.http;

import static ai.realstaging.common.http.Router.route;
import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.testing.Events;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final String IMAGE_ID = "c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6";

    private final Router router = new Router(Identity.DEFAULT_ROLES_CLAIM, List.of(
            route("GET", "/v1/health", r -> Responses.ok(Map.of("status", "ok"))),
            route("GET", "/v1/images/{id}", r -> Responses.ok(Map.of(
                    "id", r.pathId("id", "The image").toString(), "sub", r.identity().subject()))),
            route("POST", "/v1/projects", r -> {
                JsonNode body = r.jsonObject();
                throw new ApiException.ValidationFailed(List.of(
                        new FieldError("name", "must be 1 to 100 characters"),
                        new FieldError("color", "is not a field " + body.size())));
            }),
            route("GET", "/v1/projects", r -> {
                throw new DatabaseException(new SQLException(
                        "ERROR: relation \"projects\" does not exist\n  Position: 15 SELECT * FROM projects", "42P01"));
            }),
            route("POST", "/v1/projects/{id}/uploads", r -> {
                throw new IllegalStateException("NullPointer in ai.realstaging.secret.Internal at line 42");
            })));

    @Test
    void theRouteKeyApiGatewayMatchedSelectsTheRouteAndItsPathParameters() {
        APIGatewayV2HTTPResponse response = router.handle(Events.http("apigw/http_api_get_image.json"));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        JsonNode body = Json.read(response.getBody());
        assertThat(body.path("id").asText()).isEqualTo(IMAGE_ID);
        assertThat(body.path("sub").asText()).isEqualTo("auth0|6650f1c2a9e4b3d2c1f0e9d8");
    }

    @Test
    void withoutARouteKeyThePathIsMatchedAgainstTheTemplates() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_get_image.json");
        event.setRouteKey("$default");
        event.setPathParameters(null);
        String other = "0d3c7a7e-0000-4000-8000-000000000001";
        event.setRawPath("/v1/images/" + other);

        APIGatewayV2HTTPResponse response = router.handle(event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(Json.read(response.getBody()).path("id").asText()).isEqualTo(other);
    }

    @Test
    void anUnknownRouteIsA404ProblemWithTheRequestId() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_get_image.json");
        event.setRouteKey("$default");
        event.setRawPath("/v1/nothing/here");

        APIGatewayV2HTTPResponse response = router.handle(event);

        assertProblem(response, 404, "not-found");
        assertThat(Json.read(response.getBody()).path("request_id").asText()).isEqualTo("LgLrBhKFoAMEVvQ=");
    }

    @Test
    void aKnownPathWithAnotherMethodIsNotFound() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_get_image.json");
        event.setRouteKey("$default");
        event.getRequestContext().getHttp().setMethod("DELETE");

        assertProblem(router.handle(event), 404, "not-found");
    }

    @Test
    void aPathIdThatIsNotAUuidIsNotFound() {
        APIGatewayV2HTTPEvent event = Events.withPathParameter(Events.http("apigw/http_api_get_image.json"), "id", "1 OR 1=1");

        APIGatewayV2HTTPResponse response = router.handle(event);

        assertProblem(response, 404, "not-found");
        assertThat(Json.read(response.getBody()).path("detail").asText()).isEqualTo("The image was not found");
    }

    @Test
    void validationErrorsListEveryField() {
        APIGatewayV2HTTPResponse response = router.handle(Events.http("apigw/http_api_create_project.json"));

        assertProblem(response, 422, "validation");
        JsonNode body = Json.read(response.getBody());
        assertThat(body.path("title").asText()).isNotBlank();
        assertThat(body.path("detail").asText()).isEqualTo("2 fields are invalid");
        assertThat(body.path("errors")).hasSize(2);
        assertThat(body.path("errors").get(0).path("field").asText()).isEqualTo("name");
        assertThat(body.path("errors").get(0).path("message").asText()).isEqualTo("must be 1 to 100 characters");
        assertThat(body.path("errors").get(1).path("field").asText()).isEqualTo("color");
    }

    @Test
    void aBodyThatIsNotJsonIsA400() {
        APIGatewayV2HTTPEvent event = Events.withBody(Events.http("apigw/http_api_create_project.json"), "{\"name\": ");

        APIGatewayV2HTTPResponse response = router.handle(event);

        assertProblem(response, 400, "bad-request");
        assertThat(Json.read(response.getBody()).has("errors")).isFalse();
    }

    @Test
    void aJsonBodyThatIsNotAnObjectIsA400() {
        assertProblem(router.handle(Events.withBody(Events.http("apigw/http_api_create_project.json"), "[1,2]")),
                400, "bad-request");
        assertProblem(router.handle(Events.withBody(Events.http("apigw/http_api_create_project.json"), null)),
                400, "bad-request");
    }

    @Test
    void aBase64BodyIsDecoded() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_create_project.json");
        event.setBody(java.util.Base64.getEncoder().encodeToString(event.getBody().getBytes()));
        event.setIsBase64Encoded(true);

        assertProblem(router.handle(event), 422, "validation");
    }

    @Test
    void aDatabaseFailureIsA503WithoutSqlOrServerText() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_list_projects.json");

        APIGatewayV2HTTPResponse response = router.handle(event);

        assertProblem(response, 503, "dependency-unavailable");
        assertThat(response.getBody()).doesNotContain("relation", "SELECT", "42P01", "projects\\\"", "Position");
        assertThat(Json.read(response.getBody()).path("detail").asText()).contains("database");
    }

    @Test
    void anUnexpectedErrorIsA500ThatLeaksNothing() {
        APIGatewayV2HTTPResponse response = router.handle(Events.http("apigw/http_api_start_upload.json"));

        assertProblem(response, 500, "internal");
        assertThat(response.getBody()).doesNotContain("NullPointer", "ai.realstaging", "line 42", "Exception", "\tat ");
        assertThat(Json.read(response.getBody()).path("request_id").asText()).isEqualTo("LgLqfg0RoAMEPHw=");
    }

    @Test
    void aRouteWithoutAuthorizerClaimsFailsClosedWith401() {
        APIGatewayV2HTTPEvent event = Events.anonymous(Events.http("apigw/http_api_get_image.json"));

        assertProblem(router.handle(event), 401, "unauthorized");
    }

    @Test
    void claimsWithoutASubjectAre401() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_get_image.json");
        event.getRequestContext().getAuthorizer().getJwt().setClaims(Map.of("email", "a@example.com"));

        assertProblem(router.handle(event), 401, "unauthorized");
    }

    @Test
    void anOpenRouteNeedsNoClaims() {
        APIGatewayV2HTTPResponse response = router.handle(Events.http("apigw/http_api_health.json"));

        assertThat(response.getStatusCode()).isEqualTo(200);
    }

    static void assertProblem(APIGatewayV2HTTPResponse response, int status, String type) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        JsonNode body = Json.read(response.getBody());
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("type").asText()).endsWith("/" + type);
        assertThat(body.path("title").asText()).isNotBlank();
        assertThat(body.path("detail").asText()).isNotBlank();
    }
}
