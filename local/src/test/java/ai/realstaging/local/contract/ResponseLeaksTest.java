// unit: the leak detector the security tests use, on bodies written here (no stack)
package ai.realstaging.local.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseLeaksTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"message\":\"Unauthorized\"}",
            "{\"type\":\"https://docs.realstaging.ai/problems/not-found\",\"title\":\"Not found\",\"status\":404,"
                    + "\"detail\":\"The project was not found\",\"request_id\":\"Mc7UVioPPHcEKPA=\"}",
            "{\"type\":\"https://docs.realstaging.ai/problems/bad-request\",\"title\":\"Malformed request\",\"status\":400,"
                    + "\"detail\":\"The request body is not valid JSON\"}",
            "{\"type\":\"https://docs.realstaging.ai/problems/validation\",\"title\":\"The request has invalid fields\","
                    + "\"status\":422,\"detail\":\"2 fields are invalid\",\"errors\":[{\"field\":\"room_type\",\"message\":"
                    + "\"must be one of living_room, bedroom, kitchen\"},{\"field\":\"styles[0]\",\"message\":\"repeats modern\"}]}",
            "{\"type\":\"https://docs.realstaging.ai/problems/internal\",\"title\":\"Internal error\",\"status\":500,"
                    + "\"detail\":\"Something went wrong on our side; quote the request id when you contact support\"}"})
    void whatTheApiSaysIsClean(String body) {
        assertThat(ResponseLeaks.in(body)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "java.lang.IllegalStateException: boom\n\tat ai.realstaging.projects.ProjectService.get(ProjectService.java:71)",
            "{\"detail\":\"ERROR: duplicate key value violates unique constraint \\\"users_auth_sub_key\\\"\"}",
            "{\"detail\":\"org.postgresql.util.PSQLException: connection refused\"}",
            "{\"detail\":\"SELECT id FROM projects WHERE user_id = ?\"}",
            "{\"detail\":\"Unrecognized token 'not': was expecting (JSON String, Number) at [Source: (String)\\\"{not\\\"; line: 1, column: 5]\"}",
            "{\"detail\":\"The Token has expired on 2026-11-20T17:40:12Z.\"}",
            "{\"detail\":\"The Claim 'iss' value doesn't match the required issuer.\"}",
            "{\"detail\":\"Access Denied (Service: S3, Status Code: 403, Request ID: ABC)\"}",
            "{\"detail\":\"Request was throttled. Your rate limit resets in ~30s (replicate)\"}"})
    void whatALibraryOrVendorWouldSayIsCaught(String body) {
        assertThat(ResponseLeaks.in(body)).isNotEmpty();
    }
}
