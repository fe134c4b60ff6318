package ai.realstaging.common.http;

import ai.realstaging.common.auth.Identity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** An HTTP API (payload 2.0) request with the accessors a route needs. */
public final class ApiRequest {
    private final APIGatewayV2HTTPEvent event;
    private final Map<String, String> pathParameters;
    private final String rolesClaim;

    ApiRequest(APIGatewayV2HTTPEvent event, Map<String, String> pathParameters, String rolesClaim) {
        this.event = event;
        this.pathParameters = pathParameters;
        this.rolesClaim = rolesClaim;
    }

    public String requestId() {
        return event.getRequestContext() == null ? null : event.getRequestContext().getRequestId();
    }

    /** The caller; 401 when the authorizer left no claims (a misconfigured route must fail closed). */
    public Identity identity() {
        var ctx = event.getRequestContext();
        Map<String, String> claims = ctx == null || ctx.getAuthorizer() == null || ctx.getAuthorizer().getJwt() == null
                ? null : ctx.getAuthorizer().getJwt().getClaims();
        Identity identity = Identity.fromClaims(claims, rolesClaim);
        if (identity == null) {
            throw new ApiException.Unauthorized("A valid bearer token is required");
        }
        return identity;
    }

    /** A path id; one that is not a UUID cannot exist, so it is a 404 like any unknown id. */
    public UUID pathId(String name, String what) {
        String raw = pathParameters.get(name);
        try {
            return UUID.fromString(raw);
        } catch (RuntimeException e) {
            throw new ApiException.NotFound(what);
        }
    }

    /** A path parameter as sent (already URL-decoded by API Gateway); 404 for a route without it. */
    public String pathParameter(String name) {
        String raw = pathParameters.get(name);
        if (raw == null || raw.isBlank()) {
            throw new ApiException.NotFound("The resource");
        }
        return raw;
    }

    /** A request header; HTTP API lower-cases header names, so the lookup ignores case. */
    public Optional<String> header(String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers == null) return Optional.empty();
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).filter(v -> v != null && !v.isEmpty()).findFirst();
    }

    public Optional<String> query(String name) {
        Map<String, String> q = event.getQueryStringParameters();
        return q == null ? Optional.empty() : Optional.ofNullable(q.get(name)).filter(s -> !s.isEmpty());
    }

    public String body() {
        String body = event.getBody();
        if (body == null) {
            return "";
        }
        return event.getIsBase64Encoded()
                ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
    }

    /** The body as a JSON object; 400 when it is missing or not JSON. */
    public JsonNode jsonObject() {
        String body = body();
        if (body.isBlank()) {
            throw new ApiException.BadRequest("The request body must be a JSON object");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException.BadRequest("The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException.BadRequest("The request body is not valid JSON");
        }
    }
}
