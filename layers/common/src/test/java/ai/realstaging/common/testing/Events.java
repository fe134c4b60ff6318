package ai.realstaging.common.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The sample events under the repository's {@code events/} folder, loaded the way the Lambda runtime
 * deserialises them, with helpers that adapt a copy to a test's own user, ids and body.
 */
public final class Events {
    private Events() {}

    /** The repository's events/ folder, found from the module a test runs in. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("events").resolve("apigw")) && Files.exists(p.resolve("pom.xml"))) {
                return p.resolve("events");
            }
        }
        throw new IllegalStateException("no events/ folder above " + dir);
    }

    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalArgumentException("no event file " + p);
        return p;
    }

    public static String text(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP API (payload 2.0) event, e.g. {@code apigw/http_api_start_upload.json}. */
    public static APIGatewayV2HTTPEvent http(String relative) {
        return EventLoader.loadApiGatewayHttpEvent(path(relative).toString());
    }

    /** An SQS event, e.g. {@code sqs/sqs_stage_image.json}. */
    public static SQSEvent sqs(String relative) {
        return EventLoader.loadSQSEvent(path(relative).toString());
    }

    /** An EventBridge scheduled event, e.g. {@code scheduled/scheduled_event.json}. */
    public static ScheduledEvent scheduled(String relative) {
        return EventLoader.loadScheduledEvent(path(relative).toString());
    }

    /** A WebSocket API event, e.g. {@code websocket/websocket_connect.json}. */
    public static APIGatewayV2WebSocketEvent webSocket(String relative) {
        return EventLoader.loadEvent(path(relative).toString(), APIGatewayV2WebSocketEvent.class);
    }

    /** The event with the authorizer's subject and email replaced, as another signed-in user would send it. */
    public static APIGatewayV2HTTPEvent as(APIGatewayV2HTTPEvent event, String sub, String email) {
        var jwt = event.getRequestContext().getAuthorizer().getJwt();
        Map<String, String> claims = new HashMap<>(jwt.getClaims());
        claims.put("sub", sub);
        if (email == null) claims.remove("email");
        else claims.put("email", email);
        jwt.setClaims(claims);
        return event;
    }

    public static APIGatewayV2HTTPEvent as(APIGatewayV2HTTPEvent event, TestDatabase.TestUser user) {
        return as(event, user.sub(), user.email());
    }

    /** The event with its authorizer removed, as a route without authorization would deliver it. */
    public static APIGatewayV2HTTPEvent anonymous(APIGatewayV2HTTPEvent event) {
        event.getRequestContext().setAuthorizer(null);
        return event;
    }

    /** Sets a path parameter and rebuilds rawPath and http.path from the route key's template. */
    public static APIGatewayV2HTTPEvent withPathParameter(APIGatewayV2HTTPEvent event, String name, String value) {
        Map<String, String> params = new HashMap<>(event.getPathParameters() == null ? Map.of() : event.getPathParameters());
        params.put(name, value);
        event.setPathParameters(params);
        String template = event.getRouteKey().substring(event.getRouteKey().indexOf(' ') + 1);
        String path = template;
        for (var e : params.entrySet()) {
            path = path.replace("{" + e.getKey() + "}", e.getValue());
        }
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
        return event;
    }

    public static APIGatewayV2HTTPEvent withBody(APIGatewayV2HTTPEvent event, String body) {
        event.setBody(body);
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        if (body == null) headers.remove("content-length");
        else headers.put("content-length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length));
        event.setHeaders(headers);
        return event;
    }

    /** Replaces the query string (values given unencoded). */
    public static APIGatewayV2HTTPEvent withQuery(APIGatewayV2HTTPEvent event, Map<String, String> query) {
        event.setQueryStringParameters(query.isEmpty() ? null : new LinkedHashMap<>(query));
        event.setRawQueryString(query.entrySet().stream()
                .map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
        return event;
    }
}
