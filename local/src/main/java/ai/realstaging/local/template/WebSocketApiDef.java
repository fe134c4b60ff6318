package ai.realstaging.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket API of template.yaml, read from its AWS::ApiGatewayV2 resources (SAM has no type for
 * one): the route selection expression, the stage, and for each route key the function behind it.
 */
public record WebSocketApiDef(String logicalId, String routeSelectionExpression, String stageName, List<Route> routes) {

    /** A route; {@code returnsResponse} when a route response sends the function's answer to the client. */
    public record Route(String routeKey, String functionLogicalId, boolean returnsResponse) {}

    /** "${Fn.Alias}" or "${Fn.Arn}" or "${Fn}" inside an integration URI. */
    private static final Pattern FUNCTION_REF = Pattern.compile("/functions/\\$\\{([A-Za-z0-9]+)(?:\\.[A-Za-z]+)?}/invocations");

    public WebSocketApiDef {
        routes = List.copyOf(routes);
    }

    public Optional<Route> route(String routeKey) {
        return routes.stream().filter(r -> r.routeKey().equals(routeKey)).findFirst();
    }

    public static List<WebSocketApiDef> all(SamTemplate template) {
        List<WebSocketApiDef> apis = new ArrayList<>();
        for (String api : template.resourcesOfType("AWS::ApiGatewayV2::Api")) {
            Map<String, Object> props = properties(template, api);
            if (!"WEBSOCKET".equals(props.get("ProtocolType"))) {
                continue;
            }
            String stage = template.resourcesOfType("AWS::ApiGatewayV2::Stage").stream()
                    .filter(id -> refersTo(properties(template, id).get("ApiId"), api))
                    .map(id -> String.valueOf(properties(template, id).get("StageName")))
                    .findFirst().orElseThrow(() -> new IllegalStateException("WebSocket API " + api + " has no stage"));
            List<String> routeResponses = template.resourcesOfType("AWS::ApiGatewayV2::RouteResponse").stream()
                    .map(id -> logicalIdOf(properties(template, id).get("RouteId"))).toList();
            List<Route> routes = new ArrayList<>();
            for (String route : template.resourcesOfType("AWS::ApiGatewayV2::Route")) {
                Map<String, Object> r = properties(template, route);
                if (!refersTo(r.get("ApiId"), api)) continue;
                String integration = String.valueOf(r.get("Target")).replaceAll(".*integrations/\\$\\{([A-Za-z0-9]+)}.*", "$1");
                Object uri = properties(template, integration).get("IntegrationUri");
                Matcher m = FUNCTION_REF.matcher(String.valueOf(uri));
                if (!m.find()) {
                    throw new IllegalStateException("route " + route + " reaches no Lambda function through " + integration);
                }
                routes.add(new Route(String.valueOf(r.get("RouteKey")), m.group(1),
                        r.get("RouteResponseSelectionExpression") != null && routeResponses.contains(route)));
            }
            apis.add(new WebSocketApiDef(api, String.valueOf(props.get("RouteSelectionExpression")), stage, routes));
        }
        return List.copyOf(apis);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(SamTemplate template, String logicalId) {
        Object props = template.resource(logicalId).get("Properties");
        return props instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static boolean refersTo(Object value, String logicalId) {
        return logicalId.equals(logicalIdOf(value));
    }

    private static String logicalIdOf(Object value) {
        if (value instanceof Map<?, ?> m && m.get("Ref") instanceof String ref) return ref;
        return String.valueOf(value);
    }
}
