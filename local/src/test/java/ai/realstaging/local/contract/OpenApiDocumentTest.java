// unit: openapi.yaml against template.yaml's HTTP API routes and the code's own enumerations (no stack)
package ai.realstaging.local.contract;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.staging.Catalog;
import ai.realstaging.local.template.SamTemplate;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OpenApiDocumentTest {
    private static final OpenApi API = OpenApi.load();
    private static final SamTemplate TEMPLATE = SamTemplate.load(OpenApi.repositoryRoot().resolve("template.yaml"));

    /** "METHOD /path" → needs a token, for every HttpApi event of every function (the WebSocket API is not one). */
    private static Map<String, Boolean> templateRoutes() {
        return TEMPLATE.functions().stream().flatMap(f -> f.routes().stream())
                .collect(Collectors.toMap(r -> r.method() + " " + r.path(), SamTemplate.HttpRoute::authorized));
    }

    private static Set<String> keys(Predicate<OpenApi.Operation> which) {
        return API.operations().stream().filter(which).map(OpenApi.Operation::key)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theDocumentAndTheTemplateHaveTheSameRoutes() {
        Set<String> template = new TreeSet<>(templateRoutes().keySet());
        Set<String> documented = keys(op -> true);
        Set<String> undocumented = new TreeSet<>(template);
        undocumented.removeAll(documented);
        Set<String> unrouted = new TreeSet<>(documented);
        unrouted.removeAll(template);

        assertThat(template).as("guards the comparison against an empty template").isNotEmpty();
        assertThat(undocumented).as("routes in template.yaml without an operation in openapi.yaml").isEmpty();
        assertThat(unrouted).as("operations in openapi.yaml without a route in template.yaml").isEmpty();
    }

    @Test
    void aRouteNeedsATokenExactlyWhenItsOperationDoes() {
        Map<String, Boolean> template = templateRoutes();
        List<String> disagreeing = API.operations().stream()
                .filter(op -> template.containsKey(op.key()) && template.get(op.key()) != op.authenticated())
                .map(op -> op.key() + " (template: " + (template.get(op.key()) ? "JWT" : "NONE") + ")").toList();
        assertThat(disagreeing).isEmpty();
    }

    /** A public route is a decision, not an accident: it is named here first. */
    private static final Set<String> MAY_BE_PUBLIC = Set.of("GET /v1/health", "GET /v1/catalog",
            "GET /v1/billing/plans", "POST /v1/webhooks/stripe");

    @Test
    void onlyTheRoutesMeantToBePublicNeedNoToken() {
        assertThat(keys(op -> !op.authenticated())).isSubsetOf(MAY_BE_PUBLIC)
                .contains("GET /v1/health", "GET /v1/catalog", "GET /v1/billing/plans");
    }

    @Test
    void everyOperationNeedingATokenDocumentsUnauthorized() {
        assertThat(keys(op -> op.authenticated() != op.statuses().contains("401"))).isEmpty();
    }

    @Test
    void everyOperationWithAPathIdDocumentsNotFound() {
        assertThat(keys(op -> !op.pathParameters().isEmpty() && !op.statuses().contains("404"))).isEmpty();
    }

    @Test
    void everyOperationTakingABodyDocumentsBadRequest() {
        assertThat(keys(op -> op.takesBody() && !op.statuses().contains("400"))).isEmpty();
    }

    /** The security tests send it: a valid body, so a refusal is about the route, not the fields. */
    @Test
    void everyOperationTakingABodyGivesARequestExample() {
        assertThat(keys(op -> op.takesBody() && op.requestExample().isEmpty())).isEmpty();
    }

    @Test
    void operationIdsAreUnique() {
        List<String> ids = API.operations().stream().map(op -> op.node().path("operationId").asText()).toList();
        assertThat(ids).doesNotContain("").doesNotHaveDuplicates();
    }

    static Stream<Named<OpenApi.Example>> examples() {
        return API.examples().stream().map(e -> Named.of(e.where(), e));
    }

    @Test
    void theDocumentHasExamples() {
        // Guards the parameterized test below against passing on an empty list.
        assertThat(API.examples()).hasSizeGreaterThan(20);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleMeetsItsSchema(OpenApi.Example example) {
        assertThat(ResponseContract.ofRepository().validate(example.schemaPointer(), example.value())).isEmpty();
    }

    private static List<String> enumeration(String schema) {
        List<String> values = new ArrayList<>();
        API.document().path("components").path("schemas").path(schema).path("enum").forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void roomTypesStylesModesAndContentTypesAreTheCatalogs() {
        assertThat(enumeration("RoomType")).containsExactlyElementsOf(Catalog.ROOM_TYPES.keySet());
        assertThat(enumeration("Style")).containsExactlyElementsOf(Catalog.STYLES.keySet());
        assertThat(enumeration("Mode")).containsExactlyElementsOf(Catalog.MODES.keySet());
        assertThat(enumeration("ContentType")).containsExactlyElementsOf(Catalog.CONTENT_TYPES.keySet());
    }

    @Test
    void statusesAreTheModels() {
        assertThat(enumeration("ImageStatus"))
                .containsExactlyElementsOf(Arrays.stream(ImageStatus.values()).map(ImageStatus::wire).toList());
        assertThat(enumeration("OriginalStatus"))
                .containsExactlyElementsOf(Arrays.stream(OriginalStatus.values()).map(OriginalStatus::wire).toList());
    }

    @Test
    void uploadLimitsAreTheCatalogs() {
        JsonNode upload = API.document().at("/components/schemas/UploadRequest/properties");
        assertThat(upload.at("/size_bytes/maximum").asLong()).isEqualTo(Catalog.MAX_UPLOAD_BYTES);
        assertThat(upload.at("/styles/maxItems").asInt()).isEqualTo(Catalog.MAX_STYLES);
        assertThat(API.document().at("/components/schemas/UploadBatchRequest/properties/items/maxItems").asInt())
                .isEqualTo(Catalog.MAX_BATCH);
        assertThat(API.document().at("/components/schemas/Seed/maximum").asLong()).isEqualTo(Catalog.MAX_SEED);
        assertThat(API.document().at("/components/schemas/Prompt/minLength").asInt()).isEqualTo(Catalog.MIN_PROMPT);
        assertThat(API.document().at("/components/schemas/Prompt/maxLength").asInt()).isEqualTo(Catalog.MAX_PROMPT);
    }
}
