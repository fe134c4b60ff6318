// unit: reads template.yaml and pom.xml from the repository root; the handler classes come from the function modules on the classpath
package ai.realstaging.local.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import ai.realstaging.common.config.Config;
import ai.realstaging.maintenance.Sweeps;

import ai.realstaging.local.template.SamTemplate.FunctionDef;
import ai.realstaging.local.template.SamTemplate.QueueDef;
import ai.realstaging.local.template.SamTemplate.SqsSource;

class TemplateTest {

    private static final Path ROOT = RepositoryRoot.find();
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));

    static Stream<Named<FunctionDef>> functions() {
        return TEMPLATE.functions().stream().map(f -> Named.of(f.logicalId(), f));
    }

    static Stream<Named<FunctionDef>> httpFunctions() {
        return functions().filter(f -> !f.getPayload().routes().isEmpty());
    }

    private static final List<WebSocketApiDef> WEBSOCKET_APIS = WebSocketApiDef.all(TEMPLATE);

    private static boolean behindWebSocketApi(String functionId) {
        return WEBSOCKET_APIS.stream().anyMatch(api -> api.routes().stream()
                .anyMatch(r -> r.functionLogicalId().equals(functionId)));
    }

    /** Users wait on these: HTTP routes and WebSocket routes. */
    static Stream<Named<FunctionDef>> userFacingFunctions() {
        return functions().filter(f -> !f.getPayload().routes().isEmpty() || behindWebSocketApi(f.getPayload().logicalId()));
    }

    static Stream<Arguments> sqsSources() {
        return TEMPLATE.functions().stream().flatMap(f -> f.sqsSources().stream()
                .map(s -> Arguments.of(Named.of(f.logicalId(), f), Named.of(s.queueLogicalId(), s))));
    }

    @Test
    void runtimeMatchesTheCompilerRelease() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        String release = XPathFactory.newInstance().newXPath()
                .evaluate("/*[local-name()='project']/*[local-name()='properties']"
                        + "/*[local-name()='maven.compiler.release']", pom).trim();

        assertThat(release).as("maven.compiler.release in pom.xml").isNotEmpty();
        assertThat(TEMPLATE.runtime()).isEqualTo("java" + release);
    }

    @Test
    void templateHasFunctions() {
        // Guards the parameterized tests below against passing on an empty list.
        assertThat(TEMPLATE.functions()).extracting(FunctionDef::logicalId)
                .contains("ProjectsFunction", "PresignFunction", "StageImageFunction");
        assertThat(sqsSources()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void handlerImplementsTheRequestHandlerForItsEvents(FunctionDef function) throws NoSuchMethodException {
        Class<?> input;
        Class<?> output;
        if (!function.routes().isEmpty()) {
            input = APIGatewayV2HTTPEvent.class;
            output = APIGatewayV2HTTPResponse.class;
        } else if (behindWebSocketApi(function.logicalId())) {
            input = APIGatewayV2WebSocketEvent.class;
            output = APIGatewayV2WebSocketResponse.class;
        } else if (!function.sqsSources().isEmpty()) {
            input = SQSEvent.class;
            output = SQSBatchResponse.class;
        } else if (isScheduled(function.logicalId())) {
            // A scheduled function's answer goes nowhere (EventBridge invokes it asynchronously): any output.
            input = ScheduledEvent.class;
            output = Object.class;
        } else if (isCustomResourceProvider(function.logicalId())) {
            input = CloudFormationCustomResourceEvent.class;
            output = software.amazon.lambda.powertools.cloudformation.Response.class;
        } else {
            fail("%s has no HttpApi, SQS or Schedule event; teach this test its handler interface", function.logicalId());
            return;
        }

        Class<?> handler;
        try {
            handler = Class.forName(function.handlerClass());
        } catch (ClassNotFoundException e) {
            fail("%s: Handler class %s is not on the classpath (is its module a dependency of local/pom.xml?)",
                    function.logicalId(), function.handlerClass());
            return;
        }

        assertThat(RequestHandler.class).as("%s implements RequestHandler", handler).isAssignableFrom(handler);
        if (input == CloudFormationCustomResourceEvent.class) {
            // Powertools' base class implements RequestHandler<CloudFormationCustomResourceEvent, Response>.
            assertThat(software.amazon.lambda.powertools.cloudformation.AbstractCustomResourceHandler.class)
                    .isAssignableFrom(handler);
            assertThat(handler.getMethod(function.handlerMethod(), input, Context.class).getReturnType()).isEqualTo(output);
            return;
        }
        if (output == Object.class) {
            assertThat(requestHandlerTypes(handler)).as("RequestHandler<I, O> of %s", handler).first().isEqualTo(input);
            assertThat(handler.getMethod(function.handlerMethod(), input, Context.class)).isNotNull();
            return;
        }
        assertThat(requestHandlerTypes(handler)).as("RequestHandler<I, O> of %s", handler)
                .containsExactly(input, output);
        Method method = handler.getMethod(function.handlerMethod(), input, Context.class);
        assertThat(method.getReturnType()).isEqualTo(output);
    }

    private static boolean isScheduled(String functionId) {
        return TEMPLATE.schedules().stream().anyMatch(s -> s.functionLogicalId().equals(functionId));
    }

    @Test
    void theMaintenanceSweepRunsOnAScheduleAndLetsTheQueueRedeliverFirst() {
        List<SamTemplate.ScheduleSource> schedules = TEMPLATE.schedules();
        assertThat(schedules).extracting(SamTemplate.ScheduleSource::functionLogicalId).contains("MaintenanceFunction");
        SamTemplate.ScheduleSource sweep = schedules.stream()
                .filter(s -> s.functionLogicalId().equals("MaintenanceFunction")).findFirst().orElseThrow();
        assertThat(sweep.enabled()).isTrue();
        assertThat(sweep.type()).as("an EventBridge rule delivers the Scheduled Event the handler takes")
                .isEqualTo("Schedule");
        assertThat(sweep.rate()).hasValueSatisfying(rate -> assertThat(rate).isLessThanOrEqualTo(Duration.ofMinutes(15)));

        FunctionDef maintenance = TEMPLATE.function("MaintenanceFunction").orElseThrow();
        Sweeps.Settings settings = Sweeps.Settings.from(Config.of(maintenance.literalEnvironment()));
        QueueDef staging = TEMPLATE.queue("StagingQueue").orElseThrow();
        // A crashed delivery comes back after the visibility timeout; only later is an image "stuck".
        assertThat(settings.stuckGrace()).isGreaterThan(Duration.ofSeconds(staging.visibilityTimeoutSeconds()));
        // SQS delays go up to 15 minutes; a delayed stage message is not "lost" before that.
        assertThat(settings.resendAfter()).isGreaterThan(Duration.ofMinutes(15));
        // Two full rounds of deliveries before a stuck image is failed.
        assertThat(settings.stuckMaxAttempts()).isGreaterThanOrEqualTo(2 * staging.maxReceiveCount());
    }

    /** True when a Custom:: resource of the template names this function as its ServiceToken. */
    private static boolean isCustomResourceProvider(String functionId) {
        return TEMPLATE.document().get("Resources") instanceof Map<?, ?> resources && resources.values().stream()
                .filter(r -> r instanceof Map<?, ?> m && String.valueOf(m.get("Type")).startsWith("Custom::"))
                .map(r -> String.valueOf(((Map<?, ?>) r).get("Properties")))
                .anyMatch(props -> props.contains("ServiceToken") && props.contains(functionId));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userFacingFunctions")
    void userFacingFunctionsUseSnapStartThroughAnAlias(FunctionDef function) {
        assertThat(function.snapStart()).as("SnapStart ApplyOn PublishedVersions").isTrue();
        assertThat(function.autoPublishAlias()).as("AutoPublishAlias").isPresent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void everyLayerAFunctionNamesIsBuiltHereForItsRuntimeAndArchitecture(FunctionDef function) {
        assertThat(function.layers()).as("Layers of %s (Lambda allows five)", function.logicalId())
                .isNotEmpty().hasSizeLessThanOrEqualTo(5).doesNotHaveDuplicates();
        Object architectures = properties(function.logicalId()).getOrDefault("Architectures",
                at(TEMPLATE.document(), "Globals", "Function", "Architectures"));
        for (String layer : function.layers()) {
            // A layer from elsewhere (an ARN) could not be put on the function's class path locally.
            assertThat(TEMPLATE.layer(layer)).as("%s names %s, an AWS::Serverless::LayerVersion of this template",
                    function.logicalId(), layer).isPresent();
            Map<String, Object> props = properties(layer);
            assertThat(TemplateTest.<List<Object>>at(props, "CompatibleRuntimes")).as("CompatibleRuntimes of %s", layer)
                    .contains(TEMPLATE.runtime());
            assertThat(TemplateTest.<List<Object>>at(props, "CompatibleArchitectures")).as("CompatibleArchitectures of %s", layer)
                    .containsAll((List<?>) architectures);
        }
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("sqsSources")
    void queueVisibilityIsAtLeastSixTimesTheConsumerTimeout(FunctionDef function, SqsSource source) {
        QueueDef queue = TEMPLATE.queue(source.queueLogicalId()).orElseThrow();

        assertThat(queue.visibilityTimeoutSeconds()).isGreaterThanOrEqualTo(6 * function.timeoutSeconds());
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("sqsSources")
    void consumedQueuesRedriveToADeadLetterQueueAfterFiveReceives(FunctionDef function, SqsSource source) {
        QueueDef queue = TEMPLATE.queue(source.queueLogicalId()).orElseThrow();

        assertThat(queue.dlqLogicalId()).as("dead-letter queue of %s", queue.logicalId()).isPresent();
        assertThat(TEMPLATE.queue(queue.dlqLogicalId().orElseThrow())).isPresent();
        assertThat(queue.maxReceiveCount()).isGreaterThanOrEqualTo(5);
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("sqsSources")
    void sqsSourcesReportBatchItemFailures(FunctionDef function, SqsSource source) {
        assertThat(source.reportBatchItemFailures()).isTrue();
    }

    @Test
    void bucketDependsOnThePolicyLettingS3SendToItsQueue() {
        assertThat(TEMPLATE.bucketNotifications()).isNotEmpty().allSatisfy(notification -> {
            List<String> policies = TEMPLATE.resourcesOfType("AWS::SQS::QueuePolicy").stream()
                    .filter(p -> queuesOf(p).contains(Map.of("Ref", notification.queueLogicalId())))
                    .toList();
            assertThat(policies).as("queue policy for %s", notification.queueLogicalId()).isNotEmpty();
            assertThat(TEMPLATE.dependsOn(notification.bucketLogicalId())).containsAnyElementsOf(policies);
        });
    }

    @Test
    void queuePolicyNamesTheBucketByTheSameNameTheBucketIsGiven() {
        // The policy cannot !Ref the bucket (that would be a cycle), so it repeats the name expression.
        Object bucketName = properties("MediaBucket").get("BucketName");
        Object sourceArn = TemplateTest.<Map<String, Object>>at(properties("StagingQueuePolicy"),
                "PolicyDocument", "Statement", 0, "Condition", "ArnEquals").get("aws:SourceArn");

        assertThat(bucketName).isInstanceOf(Map.class);
        String name = (String) ((Map<?, ?>) bucketName).get("Fn::Sub");
        assertThat(sourceArn).isEqualTo(Map.of("Fn::Sub", "arn:${AWS::Partition}:s3:::" + name));
    }

    @Test
    void theWebSocketApiRoutesConnectDisconnectAndDefaultToTheBridgeOnStageWs() {
        assertThat(WEBSOCKET_APIS).hasSize(1);
        WebSocketApiDef api = WEBSOCKET_APIS.getFirst();

        assertThat(api.routeSelectionExpression()).isEqualTo("$request.body.action");
        assertThat(api.stageName()).isEqualTo("ws");
        assertThat(api.routes()).extracting(WebSocketApiDef.Route::routeKey)
                .containsExactlyInAnyOrder("$connect", "$disconnect", "$default");
        assertThat(api.routes()).extracting(WebSocketApiDef.Route::functionLogicalId).containsOnly("SseBridgeFunction");
        assertThat(api.route("$default").orElseThrow().returnsResponse()).as("pong goes back to the client").isTrue();
        // API Gateway invokes the SnapStart alias, and may: a permission scoped to this API.
        assertThat(String.valueOf(properties("WebSocketIntegration").get("IntegrationUri"))).contains("${SseBridgeFunction.Alias}");
        Map<String, Object> permission = properties("SseBridgeInvokePermission");
        assertThat(permission.get("FunctionName")).isEqualTo(Map.of("Ref", "SseBridgeFunction.Alias"));
        assertThat(String.valueOf(permission.get("SourceArn"))).contains("${" + api.logicalId() + "}/*");
    }

    @Test
    void thePublishersCallbackUrlAndPermissionNameTheWebSocketStage() {
        WebSocketApiDef api = WEBSOCKET_APIS.getFirst();
        FunctionDef staging = TEMPLATE.function("StageImageFunction").orElseThrow();

        assertThat(staging.environment().get("REALTIME_TRANSPORT")).isEqualTo("websocket");
        assertThat(String.valueOf(staging.environment().get("WEBSOCKET_CALLBACK_URL")))
                .contains("${" + api.logicalId() + "}").endsWith("/" + api.stageName() + "}");
        assertThat(TemplateTest.<List<Object>>at(properties("StageImageFunction"), "Policies"))
                .contains(Map.of("Ref", "RealtimePublishPolicy"));
        Map<String, Object> statement = at(properties("RealtimePublishPolicy"), "PolicyDocument", "Statement", 0);
        assertThat(statement.get("Action")).isEqualTo("execute-api:ManageConnections");
        assertThat(String.valueOf(statement.get("Resource")))
                .contains("${" + api.logicalId() + "}/" + api.stageName() + "/POST/@connections/*");
    }

    // ------------------------------------------------------------------ helpers

    /** The actual I and O of RequestHandler&lt;I, O&gt;, resolved through superclasses and interfaces. */
    static List<Type> requestHandlerTypes(Class<?> handler) {
        List<Type> found = resolve(handler, new HashMap<>());
        return found == null ? List.of() : found;
    }

    private static List<Type> resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw;
        if (type instanceof ParameterizedType parameterized) {
            raw = (Class<?>) parameterized.getRawType();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            Type[] args = parameterized.getActualTypeArguments();
            Map<TypeVariable<?>, Type> next = new HashMap<>(bindings);
            for (int i = 0; i < vars.length; i++) {
                next.put(vars[i], args[i] instanceof TypeVariable<?> v ? bindings.getOrDefault(v, v) : args[i]);
            }
            bindings = next;
            if (raw == RequestHandler.class) {
                return List.of(bindings.get(vars[0]), bindings.get(vars[1]));
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
        } else {
            return null;
        }
        List<Type> supers = new ArrayList<>(List.of(raw.getGenericInterfaces()));
        if (raw.getGenericSuperclass() != null) {
            supers.add(raw.getGenericSuperclass());
        }
        for (Type parent : supers) {
            List<Type> found = resolve(parent, bindings);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Map<String, Object> properties(String logicalId) {
        return at(TEMPLATE.resource(logicalId), "Properties");
    }

    private static List<Object> queuesOf(String policyLogicalId) {
        return at(properties(policyLogicalId), "Queues");
    }

    /** Walks maps by key and lists by index. */
    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, Object... path) {
        for (Object step : path) {
            node = step instanceof Integer i ? ((List<Object>) node).get(i) : ((Map<String, Object>) node).get(step);
        }
        return (T) node;
    }
}
