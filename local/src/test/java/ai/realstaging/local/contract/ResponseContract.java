package ai.realstaging.local.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.keyword.UnknownKeywordFactory;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a real response against openapi.yaml: the operation exists, the status is documented for it,
 * the content type is one the document gives for that status, the body meets that schema (JSON Schema
 * 2020-12, OpenAPI 3.1 dialect, formats asserted), a response documented without content has no body,
 * and required headers are there. Any difference is an {@link AssertionError} naming it.
 */
public final class ResponseContract {
    /** Where the document is registered for the validator; $refs inside it resolve against this. */
    static final String DOCUMENT_IRI = "https://api.realstaging.ai/openapi.json";

    private static final Set<String> DOCUMENT_FIELDS = Set.of("openapi", "info", "jsonSchemaDialect", "servers",
            "paths", "webhooks", "components", "security", "tags", "externalDocs");

    private final OpenApi api;
    private final SchemaRegistry registry;
    private final Map<List<String>, Schema> schemas = new ConcurrentHashMap<>();

    public ResponseContract(OpenApi api) {
        this.api = api;
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        // The whole document is registered as one schema resource so that "#/components/..." resolves; its
        // top-level OpenAPI fields are then not schema keywords, and are read as annotations without a warning.
        Dialect dialect = Dialect.builder(Dialects.getOpenApi31()).unknownKeywordFactory((name, context) ->
                DOCUMENT_FIELDS.contains(name) ? new AnnotationKeyword(name)
                        : UnknownKeywordFactory.getInstance().getKeyword(name, context)).build();
        this.registry = SchemaRegistry.withDialect(dialect, builder -> builder
                .schemas(Map.of(DOCUMENT_IRI, api.json()))
                .schemaRegistryConfig(config));
    }

    private static ResponseContract repository;

    /** The contract of the repository's openapi.yaml, read once per JVM. */
    public static synchronized ResponseContract ofRepository() {
        if (repository == null) repository = new ResponseContract(OpenApi.load());
        return repository;
    }

    public OpenApi api() {
        return api;
    }

    /** For {@code ApiClient}'s observer: checks one exchange with the API. */
    public void check(HttpRequest request, HttpResponse<String> response) {
        check(request.method(), request.uri().getRawPath(), response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.headers().map(), response.body());
    }

    /**
     * Checks one response; {@code headers} by name (any case), {@code body} as text ("" or null when
     * there is none).
     */
    public void check(String method, String rawPath, int status, String contentType,
                      Map<String, List<String>> headers, String body) {
        String exchange = method + " " + rawPath + " -> " + status;
        OpenApi.Operation operation = api.operation(method, rawPath).orElseThrow(() ->
                new AssertionError(exchange + ": openapi.yaml has no operation for " + method + " " + rawPath));
        OpenApi.Located response = operation.response(status).orElseThrow(() -> new AssertionError(exchange
                + ": status " + status + " is not documented for " + operation.key() + " (documented: "
                + operation.statuses().stream().sorted().toList() + "); body: " + abbreviate(body)));

        response.node().path("headers").properties().forEach(header -> {
            if (header.getValue().path("required").asBoolean(false) && headerValue(headers, header.getKey()).isEmpty()) {
                throw new AssertionError(exchange + ": required header " + header.getKey() + " is missing");
            }
        });

        JsonNode content = response.node().path("content");
        boolean hasBody = body != null && !body.isEmpty();
        if (content.isEmpty()) {
            if (hasBody) {
                throw new AssertionError(exchange + ": documented without a body, but one came: " + abbreviate(body));
            }
            return;
        }
        String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            throw new AssertionError(exchange + ": Content-Type '" + contentType + "' is not documented for "
                    + operation.key() + " " + status + " (documented: " + iterable(content.fieldNames()) + ")");
        }
        if (!hasBody) {
            throw new AssertionError(exchange + ": documented as " + mediaType + " but the body is empty");
        }
        JsonNode instance;
        try {
            instance = ai.realstaging.common.http.Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError(exchange + ": the body is not JSON: " + abbreviate(body));
        }
        List<String> schemaPointer = response.child("content").child(mediaType).child("schema").pointer();
        List<Error> errors = validate(schemaPointer, instance);
        if (!errors.isEmpty()) {
            throw new AssertionError(exchange + ": the body does not meet " + OpenApi.pointer(schemaPointer) + ":\n  "
                    + String.join("\n  ", errors.stream().map(Error::toString).toList()) + "\nbody: " + abbreviate(body));
        }
    }

    /** Validates any value against the schema at a location of the document (segments unescaped). */
    public List<Error> validate(List<String> schemaPointer, JsonNode instance) {
        Schema schema = schemas.computeIfAbsent(List.copyOf(schemaPointer), pointer -> {
            NodePath fragment = new NodePath(PathType.JSON_POINTER);
            for (String segment : pointer) fragment = fragment.append(segment);
            return registry.getSchema(new SchemaLocation(AbsoluteIri.of(DOCUMENT_IRI), fragment));
        });
        return schema.validate(instance);
    }

    private static Optional<String> headerValue(Map<String, List<String>> headers, String name) {
        if (headers == null) return Optional.empty();
        return headers.entrySet().stream()
                .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().getFirst()).findFirst();
    }

    private static String abbreviate(String body) {
        if (body == null) return "(none)";
        return body.length() <= 2000 ? body : body.substring(0, 2000) + "…";
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
