package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.http.PathTemplate;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.auth0.jwk.Jwk;
import com.auth0.jwk.JwkProvider;
import com.auth0.jwk.JwkProviderBuilder;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The local HTTP API: routes from template.yaml, the same JWT check as API Gateway's authorizer
 * (jwks-rsa against the issuer's JWKS: signature, issuer, audience, expiry), payload 2.0 events
 * into the handlers in this JVM, and their responses back out.
 */
final class Gateway implements AutoCloseable {
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** One route of the HTTP API and the function behind it. */
    record Route(String method, String path, boolean authorized, FunctionPool function) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Route> routes;
    private final String issuer;
    private final String audience;
    private final Map<String, Object> jwks;
    private JwkProvider keys;
    /** One verifier per signing key: building one per request costs more than verifying. */
    private final Map<String, com.auth0.jwt.JWTVerifier> verifiers = new java.util.concurrent.ConcurrentHashMap<>();

    Gateway(String host, int port, List<Route> routes, String issuer, String audience, Map<String, Object> jwks)
            throws IOException {
        this.routes = List.copyOf(routes);
        this.issuer = issuer;
        this.audience = audience;
        this.jwks = jwks;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 512);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
    }

    /** Starts serving; the JWKS is fetched from {@code jwksUrl} (this gateway's own, or a real issuer's). */
    Gateway start(URL jwksUrl) {
        server.start();
        URL url = jwksUrl != null ? jwksUrl : jwksUrl();
        this.keys = new JwkProviderBuilder(url).cached(10, 1, TimeUnit.HOURS).build();
        return this;
    }

    /** Serves a local-only path (no route of template.yaml) with its own handler, e.g. the event stream. */
    Gateway mount(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    URI baseUrl() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    private URL jwksUrl() {
        try {
            return baseUrl().resolve("/.well-known/jwks.json").toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/.well-known/jwks.json") && jwks != null) {
                send(exchange, 200, Map.of("Content-Type", "application/json"), Json.write(jwks).getBytes(StandardCharsets.UTF_8));
                return;
            }
            Map<String, String> params = new HashMap<>();
            Route route = match(method, path, params);
            if (route == null) {
                sendJson(exchange, 404, "{\"message\":\"Not Found\"}", Map.of());
                return;
            }
            Map<String, String> claims = null;
            if (route.authorized()) {
                claims = authorize(exchange.getRequestHeaders().getFirst("Authorization"));
                if (claims == null) {
                    sendJson(exchange, 401, "{\"message\":\"Unauthorized\"}",
                            Map.of("www-authenticate", "Bearer"));
                    return;
                }
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            APIGatewayV2HTTPEvent event = event(exchange, method, path, route, params, claims, body);
            Object result;
            try {
                result = route.function().invoke(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendJson(exchange, 503, "{\"message\":\"Service Unavailable\"}", Map.of());
                return;
            } catch (RuntimeException e) {
                // What API Gateway answers when the integration fails; the cause goes to the local log.
                System.err.println("[gateway] " + route.function().name() + " failed: " + e);
                sendJson(exchange, 500, "{\"message\":\"Internal Server Error\"}", Map.of());
                return;
            }
            respond(exchange, (APIGatewayV2HTTPResponse) result);
        }
    }

    private Route match(String method, String path, Map<String, String> params) {
        for (Route route : routes) {
            if (!route.method().equals(method)) continue;
            Map<String, String> found = PathTemplate.match(route.path(), path);
            if (found != null) {
                params.putAll(found);
                return route;
            }
        }
        return null;
    }

    /** A token already verified, with its claims; only its expiry needs checking again. */
    private record Verified(Map<String, String> claims, Instant expiresAt) {}

    private final Map<String, Verified> verified = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The claims of a valid token as HTTP API passes them (strings), or null. A token's signature,
     * issuer and audience cannot change, so a verified token is remembered until it expires; the
     * RSA check is otherwise the largest cost of a warm request.
     */
    private Map<String, String> authorize(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        Verified known = verified.get(token);
        if (known != null) {
            if (known.expiresAt().isAfter(Instant.now())) return known.claims();
            verified.remove(token);
            return null;
        }
        Map<String, String> claims = verify(token);
        if (claims != null && claims.get("exp") != null) {
            if (verified.size() > 10_000) verified.clear();
            verified.put(token, new Verified(claims, Instant.ofEpochSecond(Long.parseLong(claims.get("exp")))));
        }
        return claims;
    }

    private Map<String, String> verify(String token) {
        try {
            DecodedJWT unverified = JWT.decode(token);
            // API Gateway's JWT authorizer needs a kid naming a key of the issuer's JWKS.
            String kid = unverified.getKeyId();
            if (kid == null || kid.isBlank()) {
                return null;
            }
            com.auth0.jwt.JWTVerifier verifier = verifiers.get(kid);
            if (verifier == null) {
                Jwk jwk = keys.get(unverified.getKeyId());
                verifier = JWT.require(Algorithm.RSA256((RSAPublicKey) jwk.getPublicKey(), null))
                        .withIssuer(issuer)
                        .withAudience(audience)
                        .withClaimPresence("exp")
                        .build();
                verifiers.put(kid, verifier);
            }
            DecodedJWT jwt = verifier.verify(unverified);
            Map<String, String> claims = new LinkedHashMap<>();
            for (Map.Entry<String, Claim> entry : jwt.getClaims().entrySet()) {
                claims.put(entry.getKey(), claimText(entry.getValue()));
            }
            return claims;
        } catch (JWTVerificationException | com.auth0.jwk.JwkException | IllegalArgumentException e) {
            return null;
        }
    }

    /** HTTP API flattens claims to strings; arrays become "[a b]". */
    private static String claimText(Claim claim) {
        List<Object> list = claim.asList(Object.class);
        if (list != null) {
            return "[" + String.join(" ", list.stream().map(String::valueOf).toList()) + "]";
        }
        Object value = claim.as(Object.class);
        return value == null ? null : String.valueOf(value);
    }

    private static APIGatewayV2HTTPEvent event(HttpExchange exchange, String method, String path, Route route,
                                               Map<String, String> params, Map<String, String> claims, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = body.length == 0 || contentType.startsWith("application/json") || contentType.startsWith("text/");
        Instant now = Instant.now();
        String routeKey = route.method() + " " + route.path();
        var http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method).withPath(path).withProtocol("HTTP/1.1")
                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                .withUserAgent(headers.get("user-agent")).build();
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withAccountId("000000000000").withApiId("local").withDomainName("127.0.0.1")
                .withDomainPrefix("local").withRequestId(RequestIds.next())
                .withRouteKey(routeKey).withStage("$default")
                .withTime(REQUEST_TIME.format(now)).withTimeEpoch(now.toEpochMilli())
                .withHttp(http);
        if (claims != null) {
            context.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                            .withClaims(claims).withScopes(null).build()).build());
        }
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey(routeKey).withRawPath(path)
                .withRawQueryString(rawQuery == null ? "" : rawQuery)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(params.isEmpty() ? null : params)
                .withRequestContext(context.build())
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8)
                        : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(!text)
                .build();
    }

    private static void respond(HttpExchange exchange, APIGatewayV2HTTPResponse response) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (response.getHeaders() != null) headers.putAll(response.getHeaders());
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        if (response.getCookies() != null) {
            for (String cookie : response.getCookies()) exchange.getResponseHeaders().add("Set-Cookie", cookie);
        }
        send(exchange, response.getStatusCode(), headers, bytes);
    }

    private static void sendJson(HttpExchange exchange, int status, String json, Map<String, String> extra) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json");
        send(exchange, status, headers, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("apigw-requestid", RequestIds.next());
        boolean empty = body.length == 0 || status == 204 || status == 304;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }


    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
