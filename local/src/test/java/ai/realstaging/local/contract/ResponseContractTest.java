// unit: the response checker against the repository's openapi.yaml, on hand-written responses (no stack)
package ai.realstaging.local.contract;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseContractTest {
    private static final ResponseContract CONTRACT = ResponseContract.ofRepository();
    private static final String ID = "3f1c2b7e-0a4d-4e59-8b6a-2d9e7c1f5a30";
    private static final String PROJECT = """
            {"id":"%s","name":"Maple Street 12","created_at":"2026-11-20T17:40:12.123456Z",
             "updated_at":"2026-11-20T17:40:12.123456Z"}""".formatted(ID);
    private static final String NOT_FOUND = """
            {"type":"https://docs.realstaging.ai/problems/not-found","title":"Not found","status":404,
             "detail":"The project was not found","request_id":"r-1"}""";

    private static void check(String method, String path, int status, String contentType, String body) {
        CONTRACT.check(method, path, status, contentType, Map.of(), body);
    }

    @Test
    void aResponseThatMeetsItsSchemaPasses() {
        assertThatCode(() -> check("GET", "/v1/projects/" + ID, 200, "application/json", PROJECT))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingRequiredFieldFails() {
        String withoutName = PROJECT.replace("\"name\":\"Maple Street 12\",", "");
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 200, "application/json", withoutName))
                .isInstanceOf(AssertionError.class).hasMessageContaining("name");
    }

    @Test
    void anUndocumentedFieldFails() {
        String extra = PROJECT.replace("{", "{\"owner\":\"someone\",");
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 200, "application/json", extra))
                .isInstanceOf(AssertionError.class).hasMessageContaining("owner");
    }

    @Test
    void anUndocumentedStatusFails() {
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 418, "application/json", PROJECT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("418 is not documented");
    }

    @Test
    void aPathWithoutAnOperationFails() {
        assertThatThrownBy(() -> check("GET", "/v1/nothing-here", 200, "application/json", "{}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no operation");
    }

    @Test
    void anUndocumentedContentTypeFails() {
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 404, "application/json", NOT_FOUND))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Content-Type");
    }

    @Test
    void formatsAreAsserted() {
        String badId = PROJECT.replace(ID, "not-a-uuid");
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 200, "application/json", badId))
                .isInstanceOf(AssertionError.class).hasMessageContaining("uuid");
        String badTime = PROJECT.replace("\"created_at\":\"2026-11-20T17:40:12.123456Z\"", "\"created_at\":\"yesterday\"");
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 200, "application/json", badTime))
                .isInstanceOf(AssertionError.class).hasMessageContaining("date-time");
    }

    @Test
    void aProblemMustCarryTheStatusItWasSentWith() {
        assertThatCode(() -> check("GET", "/v1/projects/" + ID, 404, "application/problem+json; charset=utf-8", NOT_FOUND))
                .doesNotThrowAnyException();
        String mislabelled = NOT_FOUND.replace("\"status\":404", "\"status\":400");
        assertThatThrownBy(() -> check("GET", "/v1/projects/" + ID, 404, "application/problem+json", mislabelled))
                .isInstanceOf(AssertionError.class).hasMessageContaining("status");
    }

    @Test
    void aValidationProblemNeedsItsFieldErrors() {
        String noErrors = """
                {"type":"https://docs.realstaging.ai/problems/validation","title":"The request has invalid fields",
                 "status":422,"detail":"name must be 1 to 100 characters"}""";
        assertThatThrownBy(() -> check("POST", "/v1/projects", 422, "application/problem+json", noErrors))
                .isInstanceOf(AssertionError.class).hasMessageContaining("errors");
    }

    @Test
    void aResponseDocumentedWithoutContentMustHaveNoBody() {
        assertThatCode(() -> check("DELETE", "/v1/projects/" + ID, 204, null, "")).doesNotThrowAnyException();
        assertThatThrownBy(() -> check("DELETE", "/v1/projects/" + ID, 204, "application/json", PROJECT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("without a body");
    }

    @Test
    void aRequiredHeaderMustBeSent() {
        assertThatThrownBy(() -> check("GET", "/v1/images/" + ID + "/download", 302, null, ""))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Location");
        assertThatCode(() -> CONTRACT.check("GET", "/v1/images/" + ID + "/download", 302, null,
                Map.of("location", List.of("https://bucket.example/staged/x.jpg?X-Amz-Signature=1")), ""))
                .doesNotThrowAnyException();
    }

    @Test
    void theGatewaysOwnUnauthorizedAnswerIsDocumented() {
        assertThatCode(() -> check("GET", "/v1/projects", 401, "application/json", "{\"message\":\"Unauthorized\"}"))
                .doesNotThrowAnyException();
    }
}
