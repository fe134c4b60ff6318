package ai.realstaging.common.http;

import ai.realstaging.common.db.DatabaseException;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table of one HTTP function (method + path template → action) and the one place
 * where errors become problem+json. Stack traces and SQL go to the log, never to the client.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** One row of the table; {@code path} uses API Gateway's template syntax, e.g. /v1/projects/{id}. */
    public record Route(String method, String path, Function<ApiRequest, APIGatewayV2HTTPResponse> action) {
        String key() {
            return method + " " + path;
        }
    }

    public static Route route(String method, String path, Function<ApiRequest, APIGatewayV2HTTPResponse> action) {
        return new Route(method, path, action);
    }

    private final List<Route> routes;
    private final Map<String, Route> byKey = new HashMap<>();
    private final String rolesClaim;

    public Router(String rolesClaim, List<Route> routes) {
        this.rolesClaim = rolesClaim;
        this.routes = List.copyOf(routes);
        routes.forEach(r -> byKey.put(r.key(), r));
    }

    public List<Route> routes() {
        return routes;
    }

    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        long started = System.nanoTime();
        String requestId = event.getRequestContext() == null ? null : event.getRequestContext().getRequestId();
        String method = method(event);
        APIGatewayV2HTTPResponse response;
        String routeKey = null;
        try {
            Match match = match(event, method);
            if (match == null) {
                throw new ApiException.NotFound("The route " + method + " " + event.getRawPath());
            }
            routeKey = match.route().key();
            response = match.route().action().apply(new ApiRequest(event, match.params(), rolesClaim));
        } catch (ApiException e) {
            response = Responses.problem(e.status(), e.type(), e.title(), e.detail(), e.errors(), requestId);
        } catch (DatabaseException e) {
            LOG.error("database unavailable on {}: sqlstate {}", routeKey, e.sqlState(), e);
            ApiException.DependencyDown down = new ApiException.DependencyDown("The database");
            response = Responses.problem(down.status(), down.type(), down.title(), down.detail(), List.of(), requestId);
        } catch (RuntimeException e) {
            LOG.error("unhandled error on {}", routeKey, e);
            response = Responses.problem(500, "internal", "Internal error",
                    "Something went wrong on our side; quote the request id when you contact support",
                    List.of(), requestId);
        }
        LOG.info("{} {} -> {} in {} ms", method, routeKey == null ? event.getRawPath() : routeKey,
                response.getStatusCode(), (System.nanoTime() - started) / 1_000_000);
        return response;
    }

    private record Match(Route route, Map<String, String> params) {}

    private Match match(APIGatewayV2HTTPEvent event, String method) {
        // API Gateway names the matched route; path parameters come with it.
        Route byRouteKey = event.getRouteKey() == null ? null : byKey.get(event.getRouteKey());
        if (byRouteKey != null) {
            Map<String, String> params = event.getPathParameters() == null ? Map.of() : event.getPathParameters();
            return new Match(byRouteKey, params);
        }
        // Events without a route key (a hand-made event, a $default route) are matched on the path.
        for (Route route : routes) {
            if (!route.method().equals(method)) continue;
            Map<String, String> params = PathTemplate.match(route.path(), event.getRawPath());
            if (params != null) return new Match(route, params);
        }
        return null;
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        var ctx = event.getRequestContext();
        return ctx != null && ctx.getHttp() != null && ctx.getHttp().getMethod() != null
                ? ctx.getHttp().getMethod().toUpperCase() : "GET";
    }
}
