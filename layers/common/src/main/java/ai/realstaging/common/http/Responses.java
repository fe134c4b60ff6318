package ai.realstaging.common.http;

import ai.realstaging.common.http.ApiException.FieldError;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds HTTP API responses: JSON bodies and RFC 9457 problem details. */
public final class Responses {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    private Responses() {}

    public static APIGatewayV2HTTPResponse ok(Object body) {
        return json(200, body);
    }

    public static APIGatewayV2HTTPResponse created(Object body) {
        return json(201, body);
    }

    public static APIGatewayV2HTTPResponse json(int status, Object body) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(JSON)
                .withBody(Json.write(body))
                .build();
    }

    /** 204: done, nothing to say (a delete). */
    public static APIGatewayV2HTTPResponse noContent() {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(204).build();
    }

    /** 302 to a short-lived URL; never cached, since the URL expires. */
    public static APIGatewayV2HTTPResponse redirect(String location) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(302)
                .withHeaders(Map.of("Location", location, "Cache-Control", "no-store"))
                .build();
    }

    public static APIGatewayV2HTTPResponse problem(int status, String type, String title, String detail,
                                                   List<FieldError> errors, String requestId) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/problem+json"))
                .withBody(Json.write(problemBody(status, type, title, detail, errors, requestId)))
                .build();
    }

    /** The problem+json body of a domain error; also one item's result in a batch. */
    public static Map<String, Object> problemBody(ApiException e, String requestId) {
        return problemBody(e.status(), e.type(), e.title(), e.detail(), e.errors(), requestId);
    }

    private static Map<String, Object> problemBody(int status, String type, String title, String detail,
                                                   List<FieldError> errors, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://docs.realstaging.ai/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        if (requestId != null) {
            body.put("request_id", requestId);
        }
        return body;
    }
}
