package ai.realstaging.local.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads template.yaml so the local stack wires functions, routes, queues and notifications as AWS would.
 *
 * <p>Values written as intrinsics are kept in CloudFormation's long form ({@code {"Ref": "X"}},
 * {@code {"Fn::GetAtt": ["A", "B"]}}, ...). A {@code !Ref} to a parameter with a default is resolved to that
 * default where a number is needed (timeouts, memory, batch sizes); anything else unresolvable fails loudly.
 */
public final class SamTemplate {

    /** Lambda's own defaults, used when neither the function nor Globals says. */
    static final int LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
    static final int LAMBDA_DEFAULT_MEMORY_MB = 128;
    /** SQS's own defaults for a queue that does not set them. */
    static final int SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
    static final int SQS_DEFAULT_RETENTION_SECONDS = 345_600;
    /** The SQS event source's default batch size. */
    static final int SQS_EVENT_DEFAULT_BATCH_SIZE = 10;

    /**
     * One AWS::Serverless::Function. {@code environment} is Globals' variables overlaid with the function's:
     * literal values as strings, intrinsic values as their raw long-form maps (the local stack substitutes its
     * own endpoints for those). {@code layers} are Globals' Layers followed by the function's own, as SAM
     * concatenates them: a {@code !Ref} as the logical id it names, anything else (a layer ARN) as written.
     */
    public record FunctionDef(
            String logicalId,
            String handler,
            String codeUri,
            List<String> layers,
            int timeoutSeconds,
            int memoryMb,
            Map<String, Object> environment,
            List<HttpRoute> routes,
            List<SqsSource> sqsSources,
            boolean snapStart,
            Optional<String> autoPublishAlias) {

        public FunctionDef {
            layers = List.copyOf(layers);
            environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            routes = List.copyOf(routes);
            sqsSources = List.copyOf(sqsSources);
        }

        /** "a.b.XHandler" from "a.b.XHandler::handleRequest". */
        public String handlerClass() {
            int sep = handler.indexOf("::");
            return sep < 0 ? handler : handler.substring(0, sep);
        }

        /** "handleRequest" from "a.b.XHandler::handleRequest" (the runtime's default when no method is named). */
        public String handlerMethod() {
            int sep = handler.indexOf("::");
            return sep < 0 ? "handleRequest" : handler.substring(sep + 2);
        }

        /** Only the environment variables whose values are literals. */
        public Map<String, String> literalEnvironment() {
            Map<String, String> literals = new LinkedHashMap<>();
            environment.forEach((k, v) -> {
                if (v instanceof String s) {
                    literals.put(k, s);
                }
            });
            return Collections.unmodifiableMap(literals);
        }
    }

    /** An HttpApi event; {@code authorized} unless the API has no default authorizer or the route says NONE. */
    public record HttpRoute(String method, String path, boolean authorized) {
    }

    /** An SQS event source mapping. */
    public record SqsSource(String queueLogicalId, int batchSize, boolean reportBatchItemFailures) {
    }

    /**
     * A Schedule (EventBridge rule) or ScheduleV2 (EventBridge Scheduler) event of a function, e.g.
     * {@code rate(5 minutes)}; {@code enabled} unless Enabled is false or State is DISABLED.
     */
    public record ScheduleSource(String functionLogicalId, String eventName, String type, String expression,
                                 boolean enabled) {

        private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minutes?|hours?|days?)\\s*\\)");

        /** The period of a rate expression; empty for cron and at expressions. */
        public Optional<Duration> rate() {
            Matcher m = RATE.matcher(expression.trim());
            if (!m.matches()) return Optional.empty();
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
    }

    /** An AWS::SQS::Queue; {@code maxReceiveCount} is 0 without a redrive policy. */
    public record QueueDef(
            String logicalId,
            int visibilityTimeoutSeconds,
            Optional<String> dlqLogicalId,
            int maxReceiveCount,
            int retentionSeconds) {
    }

    /** One S3 → SQS notification; {@code prefix} and {@code suffix} are "" when the filter has none. */
    public record BucketNotification(
            String bucketLogicalId, String event, String prefix, String suffix, String queueLogicalId) {
    }

    /** An AWS::Serverless::LayerVersion built from a local zip. */
    public record LayerDef(String logicalId, String contentUri) {
    }

    /** The HTTP API's JWT authorizer; issuer and audience are named by the parameters that hold them. */
    public record JwtAuthorizer(
            String apiLogicalId,
            String name,
            String issuerParameter,
            List<String> audienceParameters,
            String identitySource) {

        public JwtAuthorizer {
            audienceParameters = List.copyOf(audienceParameters);
        }
    }

    private final Map<String, Object> document;
    private final Map<String, Object> resources;
    private final Map<String, Object> globalFunction;

    private SamTemplate(Map<String, Object> document) {
        this.document = document;
        this.resources = map(document.get("Resources"));
        this.globalFunction = map(map(document.get("Globals")).get("Function"));
    }

    public static SamTemplate load(Path file) {
        try {
            return new SamTemplate(CfnYaml.load(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The whole template in long form, unmodifiable. */
    public Map<String, Object> document() {
        return document;
    }

    /** A resource's definition (Type, Properties, DependsOn, ...), or an empty map. */
    public Map<String, Object> resource(String logicalId) {
        return map(resources.get(logicalId));
    }

    /** A resource's DependsOn, always as a list. */
    public List<String> dependsOn(String logicalId) {
        Object value = resource(logicalId).get("DependsOn");
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(value.toString());
    }

    /** Logical ids of every resource of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources.forEach((id, def) -> {
            if (type.equals(map(def).get("Type"))) {
                ids.add(id);
            }
        });
        return List.copyOf(ids);
    }

    public Optional<String> parameterDefault(String name) {
        Object value = map(map(document.get("Parameters")).get(name)).get("Default");
        return Optional.ofNullable(value).map(String::valueOf);
    }

    /** Globals.Function.Runtime, e.g. "java25". */
    public String runtime() {
        return (String) globalFunction.get("Runtime");
    }

    public List<FunctionDef> functions() {
        return resourcesOfType("AWS::Serverless::Function").stream().map(this::functionDef).toList();
    }

    public Optional<FunctionDef> function(String logicalId) {
        return "AWS::Serverless::Function".equals(resource(logicalId).get("Type"))
                ? Optional.of(functionDef(logicalId))
                : Optional.empty();
    }

    private FunctionDef functionDef(String logicalId) {
        Map<String, Object> props = properties(logicalId);
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.putAll(variables(globalFunction));
        environment.putAll(variables(props));

        List<HttpRoute> routes = new ArrayList<>();
        List<SqsSource> sqsSources = new ArrayList<>();
        map(props.get("Events")).forEach((name, value) -> {
            Map<String, Object> event = map(value);
            Map<String, Object> ev = map(event.get("Properties"));
            switch (String.valueOf(event.get("Type"))) {
                case "HttpApi" -> routes.add(new HttpRoute(
                        String.valueOf(ev.getOrDefault("Method", "ANY")).toUpperCase(Locale.ROOT),
                        String.valueOf(ev.getOrDefault("Path", "$default")),
                        authorized(ev)));
                case "SQS" -> sqsSources.add(new SqsSource(
                        logicalIdOf(ev.get("Queue")),
                        intValue(ev.get("BatchSize"), SQS_EVENT_DEFAULT_BATCH_SIZE),
                        list(ev.get("FunctionResponseTypes")).contains("ReportBatchItemFailures")));
                default -> {
                    // other event types are not served by the local stack
                }
            }
        });

        // A list property: SAM puts the function's own entries after Globals' rather than replacing them.
        List<String> layers = new ArrayList<>();
        for (Object layer : list(globalFunction.get("Layers"))) layers.add(layerReference(layer));
        for (Object layer : list(props.get("Layers"))) layers.add(layerReference(layer));

        String alias = (String) props.get("AutoPublishAlias");
        return new FunctionDef(
                logicalId,
                (String) inherited(props, "Handler"),
                (String) inherited(props, "CodeUri"),
                layers,
                intValue(inherited(props, "Timeout"), LAMBDA_DEFAULT_TIMEOUT_SECONDS),
                intValue(inherited(props, "MemorySize"), LAMBDA_DEFAULT_MEMORY_MB),
                environment,
                routes,
                sqsSources,
                "PublishedVersions".equals(map(inherited(props, "SnapStart")).get("ApplyOn")),
                Optional.ofNullable(alias));
    }

    /** Every Schedule and ScheduleV2 event, in template order. */
    public List<ScheduleSource> schedules() {
        List<ScheduleSource> schedules = new ArrayList<>();
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            map(properties(function).get("Events")).forEach((name, value) -> {
                Map<String, Object> event = map(value);
                String type = String.valueOf(event.get("Type"));
                if (type.equals("Schedule") || type.equals("ScheduleV2")) {
                    Map<String, Object> ev = map(event.get("Properties"));
                    Object expression = type.equals("Schedule") ? ev.get("Schedule") : ev.get("ScheduleExpression");
                    boolean enabled = !"false".equals(String.valueOf(ev.get("Enabled")))
                            && !"DISABLED".equals(String.valueOf(ev.get("State")));
                    schedules.add(new ScheduleSource(function, name, type, String.valueOf(expression), enabled));
                }
            });
        }
        return List.copyOf(schedules);
    }

    public List<QueueDef> queues() {
        return resourcesOfType("AWS::SQS::Queue").stream().map(id -> {
            Map<String, Object> props = properties(id);
            Map<String, Object> redrive = map(props.get("RedrivePolicy"));
            return new QueueDef(
                    id,
                    intValue(props.get("VisibilityTimeout"), SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
                    redrive.isEmpty() ? Optional.empty() : Optional.of(logicalIdOf(redrive.get("deadLetterTargetArn"))),
                    intValue(redrive.get("maxReceiveCount"), 0),
                    intValue(props.get("MessageRetentionPeriod"), SQS_DEFAULT_RETENTION_SECONDS));
        }).toList();
    }

    public Optional<QueueDef> queue(String logicalId) {
        return queues().stream().filter(q -> q.logicalId().equals(logicalId)).findFirst();
    }

    public List<BucketNotification> bucketNotifications() {
        List<BucketNotification> notifications = new ArrayList<>();
        for (String bucket : resourcesOfType("AWS::S3::Bucket")) {
            Map<String, Object> config = map(properties(bucket).get("NotificationConfiguration"));
            for (Object item : list(config.get("QueueConfigurations"))) {
                Map<String, Object> qc = map(item);
                String prefix = "";
                String suffix = "";
                for (Object r : list(map(map(qc.get("Filter")).get("S3Key")).get("Rules"))) {
                    Map<String, Object> rule = map(r);
                    String name = String.valueOf(rule.get("Name")).toLowerCase(Locale.ROOT);
                    if (name.equals("prefix")) {
                        prefix = String.valueOf(rule.get("Value"));
                    } else if (name.equals("suffix")) {
                        suffix = String.valueOf(rule.get("Value"));
                    }
                }
                notifications.add(new BucketNotification(
                        bucket, String.valueOf(qc.get("Event")), prefix, suffix, logicalIdOf(qc.get("Queue"))));
            }
        }
        return List.copyOf(notifications);
    }

    public List<LayerDef> layers() {
        return resourcesOfType("AWS::Serverless::LayerVersion").stream()
                .map(id -> new LayerDef(id, (String) properties(id).get("ContentUri")))
                .toList();
    }

    /** The AWS::Serverless::LayerVersion of that logical id, if the template defines one. */
    public Optional<LayerDef> layer(String logicalId) {
        return layers().stream().filter(l -> l.logicalId().equals(logicalId)).findFirst();
    }

    /** The first JWT authorizer of an AWS::Serverless::HttpApi, if any. */
    public Optional<JwtAuthorizer> jwtAuthorizer() {
        for (String api : resourcesOfType("AWS::Serverless::HttpApi")) {
            for (Map.Entry<String, Object> entry : map(map(properties(api).get("Auth")).get("Authorizers")).entrySet()) {
                Map<String, Object> authorizer = map(entry.getValue());
                Map<String, Object> jwt = map(authorizer.get("JwtConfiguration"));
                if (!jwt.isEmpty()) {
                    return Optional.of(new JwtAuthorizer(
                            api,
                            entry.getKey(),
                            parameterName(jwt.get("issuer")),
                            list(jwt.get("audience")).stream().map(SamTemplate::parameterName).toList(),
                            String.valueOf(authorizer.getOrDefault("IdentitySource", "$request.header.Authorization"))));
                }
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId).get("Properties"));
    }

    /** A function property, falling back to Globals.Function. */
    private Object inherited(Map<String, Object> props, String key) {
        return props.containsKey(key) ? props.get(key) : globalFunction.get(key);
    }

    private static Map<String, Object> variables(Map<String, Object> functionProps) {
        Map<String, Object> out = new LinkedHashMap<>();
        map(map(functionProps.get("Environment")).get("Variables")).forEach((k, v) ->
                out.put(k, v instanceof Map<?, ?> ? v : String.valueOf(v)));
        return out;
    }

    /** Authorized unless the route opts out with NONE, or the API it belongs to has no default authorizer. */
    private boolean authorized(Map<String, Object> eventProps) {
        Object routeAuthorizer = map(eventProps.get("Auth")).get("Authorizer");
        if (routeAuthorizer != null) {
            return !"NONE".equals(routeAuthorizer);
        }
        Map<String, Object> apiAuth = eventProps.containsKey("ApiId")
                ? map(properties(logicalIdOf(eventProps.get("ApiId"))).get("Auth"))
                : map(map(map(document.get("Globals")).get("HttpApi")).get("Auth"));
        return apiAuth.get("DefaultAuthorizer") != null;
    }

    /** A number, or a !Ref to a parameter whose default is one. */
    private int intValue(Object value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof String s) {
            return Integer.parseInt(s.trim());
        }
        String parameter = parameterName(value);
        return Integer.parseInt(parameterDefault(parameter).orElseThrow(() ->
                new IllegalStateException("parameter " + parameter + " has no default to use locally")));
    }

    /** "X" from {"Ref": "X"} or {"Fn::GetAtt": ["X", "Arn"]}; a literal (an ARN outside the template) as is. */
    private static String logicalIdOf(Object value) {
        if (value instanceof String s) {
            return s;
        }
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.get("Ref") instanceof String ref) {
            return ref;
        }
        List<Object> getAtt = list(intrinsic.get("Fn::GetAtt"));
        if (!getAtt.isEmpty()) {
            return String.valueOf(getAtt.getFirst());
        }
        throw new IllegalStateException("expected !Ref or !GetAtt naming a resource, got " + value);
    }

    /** A Layers entry: "X" from {"Ref": "X"}; a literal (a layer version ARN) as is. */
    private static String layerReference(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (map(value).get("Ref") instanceof String ref) {
            return ref;
        }
        throw new IllegalStateException("expected !Ref to a layer or a layer version ARN in Layers, got " + value);
    }

    private static String parameterName(Object value) {
        if (map(value).get("Ref") instanceof String ref) {
            return ref;
        }
        throw new IllegalStateException("expected !Ref to a parameter, got " + value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
