package ai.realstaging.local;

import ai.realstaging.common.config.Config;
import ai.realstaging.local.replicate.ReplicateStandIn;
import ai.realstaging.local.s3.S3Emulator;
import ai.realstaging.local.stripe.LocalStripe;
import ai.realstaging.local.stripe.StripeStandIn;
import ai.realstaging.local.sqs.SqsEmulator;
import ai.realstaging.local.template.SamTemplate;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole system in one JVM, wired as template.yaml says: the HTTP API with its JWT check, the
 * functions (each on its own zip and layers, see {@link FunctionCode}), S3 with its upload
 * notification to the staging queue, SQS with visibility timeouts and redrive, the event source
 * mapping, PostgreSQL, a Replicate stand-in and a token issuer. Each piece can be replaced by the
 * real thing through configuration.
 */
public final class LocalStack implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";
    public static final String BUCKET = "realstaging-media-local";
    static final String AWS_KEY = "test";
    static final String AWS_SECRET = "test";
    /** What the functions send the Replicate stand-in (it checks a token, as Replicate does). */
    static final String STAND_IN_TOKEN = "local-replicate-token";

    static {
        // The JDK server writes headers and body separately; with Nagle on, the body waits for the
        // client's delayed ACK (~40 ms a response). Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What to start and where; nulls mean "use the embedded default". */
    public record Options(Path root, String host, int gatewayPort, int awsPort, String databaseUrl,
                          String awsEndpointUrl, String replicateToken, String replicateBaseUrl, Path home) {

        public static Options fromEnvironment(Path root) {
            Map<String, String> env = System.getenv();
            return new Options(root, "127.0.0.1", 3000, 4566, env.get("DATABASE_URL"), env.get("AWS_ENDPOINT_URL"),
                    env.get("REPLICATE_API_TOKEN"), env.get("REPLICATE_BASE_URL"), TokenIssuer.defaultHome());
        }

        /** Where the servers listen; 127.0.0.1 unless a container needs all interfaces. */
        public Options withHost(String listenHost) {
            return new Options(root, listenHost, gatewayPort, awsPort, databaseUrl, awsEndpointUrl, replicateToken,
                    replicateBaseUrl, home);
        }

        public Options withPorts(int gateway, int aws) {
            return new Options(root, host, gateway, aws, databaseUrl, awsEndpointUrl, replicateToken, replicateBaseUrl, home);
        }
    }

    private final Closer resources = new Closer();
    private final Options options;
    private final LocalStripe stripeSettings;
    private StripeStandIn stripe;
    private TokenIssuer issuer;
    private Gateway gateway;
    private LocalDatabase database;
    private URI awsEndpoint;
    private ReplicateStandIn replicate;
    private LocalRealtime realtime;
    private final Map<String, String> queueUrls = new LinkedHashMap<>();
    private final Map<String, String> queueArns = new LinkedHashMap<>();
    private final Map<String, FunctionPool> functions = new LinkedHashMap<>();

    private LocalStack(Options options, LocalStripe stripe) {
        this.options = options;
        this.stripeSettings = stripe;
    }

    /** Stripe settings from the environment; the stand-in on its usual port unless the stack takes free ports. */
    public static LocalStack start(Options options) throws IOException {
        return start(options, LocalStripe.fromEnvironment(options.gatewayPort() == 0 ? 0 : LocalStripe.DEFAULT_PORT));
    }

    public static LocalStack start(Options options, LocalStripe stripe) throws IOException {
        LocalStack stack = new LocalStack(options, stripe);
        try {
            stack.boot();
            return stack;
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void boot() throws IOException {
        SamTemplate template = SamTemplate.load(options.root().resolve("template.yaml"));
        issuer = TokenIssuer.load(options.home());
        database = track(LocalDatabase.start(options.databaseUrl()));
        awsEndpoint = options.awsEndpointUrl() != null && !options.awsEndpointUrl().isBlank()
                ? URI.create(options.awsEndpointUrl()) : startAwsEmulators();

        try (S3Client s3 = s3Client(); SqsClient sqs = sqsClient()) {
            createQueues(template, sqs);
            createBucket(template, s3);
        }

        String replicateBase;
        String replicateToken;
        if (options.replicateToken() != null && !options.replicateToken().isBlank()) {
            replicateBase = options.replicateBaseUrl() == null ? "https://api.replicate.com" : options.replicateBaseUrl();
            replicateToken = options.replicateToken();
        } else {
            replicateToken = STAND_IN_TOKEN;
            replicate = track(ReplicateStandIn.start("127.0.0.1", 0, replicateToken));
            replicateBase = replicate.baseUrl().toString();
        }

        // The WebSocket API listens next to the HTTP API (3000 → 3001), or on a free port when that is 0.
        realtime = track(LocalRealtime.start(template, options.host(),
                options.gatewayPort() == 0 ? 0 : options.gatewayPort() + 1, issuer.jwks(), this::function));

        Map<String, String> shared = new HashMap<>();
        shared.put("AWS_REGION", REGION);
        shared.put("AWS_ENDPOINT_URL", awsEndpoint.toString());
        shared.put("AWS_ACCESS_KEY_ID", AWS_KEY);
        shared.put("AWS_SECRET_ACCESS_KEY", AWS_SECRET);
        shared.put("DATABASE_URL", database.url());
        shared.put("BUCKET_NAME", BUCKET);
        shared.put("STAGING_QUEUE_URL", queueUrls.get("StagingQueue"));
        shared.put("REPLICATE_BASE_URL", replicateBase);
        shared.put("REPLICATE_API_TOKEN", replicateToken);
        shared.put("AUTH_ROLES_CLAIM", TokenIssuer.ROLES_CLAIM);
        shared.put("STAGE_POLL_MILLIS", "250");
        shared.put("MODEL_SECRETS_KEY", LocalSecretsKey.load(options.home()));
        shared.putAll(stripeConfig());
        shared.putAll(realtime.settings());

        List<Gateway.Route> routes = new ArrayList<>();
        SqsClient esmClient = track(sqsClient());
        for (SamTemplate.FunctionDef fn : template.functions()) {
            Map<String, String> settings = new HashMap<>(shared);
            settings.put("POWERTOOLS_SERVICE_NAME", fn.logicalId());
            boolean http = !fn.routes().isEmpty();
            // Its zip and the layers the template names, nothing of this JVM's class path (but the event types).
            ClassLoader code = FunctionCode.of(options.root(), template, fn).classLoader();
            FunctionPool pool = new FunctionPool(fn.logicalId(), fn.handler(), code, settings, fn.memoryMb(),
                    fn.timeoutSeconds(), http ? 8 : 10);
            functions.put(fn.logicalId(), pool);
            for (SamTemplate.HttpRoute route : fn.routes()) {
                routes.add(new Gateway.Route(route.method(), route.path(), route.authorized(), pool));
            }
            for (SamTemplate.SqsSource source : fn.sqsSources()) {
                String url = queueUrls.get(source.queueLogicalId());
                track(new EventSourceMapping(esmClient, url, queueArn(source.queueLogicalId()), REGION,
                        source.batchSize(), source.reportBatchItemFailures(), pool, 4).start());
            }
        }
        gateway = track(new Gateway(options.host(), options.gatewayPort(), routes, TokenIssuer.ISSUER,
                TokenIssuer.AUDIENCE, issuer.jwks()).start(null));
        try {
            realtime.mountEventStream(gateway, Config.of(shared), gateway.baseUrl().resolve("/.well-known/jwks.json"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while subscribing to Redis", e);
        }
    }

    /** The functions' Stripe settings; starts the Stripe stand-in unless a real key or API base is configured. */
    private Map<String, String> stripeConfig() throws IOException {
        String apiBase = stripeSettings.apiBase();
        if (stripeSettings.standIn()) {
            stripe = track(StripeStandIn.start("127.0.0.1", stripeSettings.standInPort(), stripeSettings.secretKey(),
                    List.of(new StripeStandIn.Price("pro", stripeSettings.pricePro(), 2900),
                            new StripeStandIn.Price("business", stripeSettings.priceBusiness(), 9900))));
            apiBase = stripe.baseUrl().toString();
        }
        Map<String, String> config = new HashMap<>();
        config.put("STRIPE_SECRET_KEY", stripeSettings.secretKey());
        config.put("STRIPE_API_BASE", apiBase);
        config.put("STRIPE_WEBHOOK_SECRET", stripeSettings.webhookSecret());
        config.put("STRIPE_PRICE_PRO", stripeSettings.pricePro());
        config.put("STRIPE_PRICE_BUSINESS", stripeSettings.priceBusiness());
        // Where Stripe sends the browser back; a frontend's dev server would be here.
        config.put("BILLING_SUCCESS_URL", "http://localhost:5173/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}");
        config.put("BILLING_CANCEL_URL", "http://localhost:5173/billing?checkout=canceled");
        config.put("BILLING_RETURN_URL", "http://localhost:5173/billing");
        return config;
    }

    /** S3 and SQS on one endpoint, as LocalStack serves them, so AWS_ENDPOINT_URL covers both. */
    private URI startAwsEmulators() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(options.host(), options.awsPort()), 512);
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        URI[] base = new URI[1];
        SqsEmulator sqs = new SqsEmulator(REGION, ACCOUNT, () -> base[0]);
        S3Emulator s3 = new S3Emulator(REGION, AWS_KEY, AWS_SECRET, sqs::sendByArn);
        server.createContext("/", exchange -> {
            if (SqsEmulator.isSqsRequest(exchange)) {
                sqs.handle(exchange);
            } else {
                s3.handle(exchange);
            }
        });
        server.setExecutor(executor);
        server.start();
        base[0] = URI.create("http://" + options.host() + ":" + server.getAddress().getPort());
        resources.track(() -> {
            server.stop(0);
            executor.shutdownNow();
        });
        return base[0];
    }

    private void createQueues(SamTemplate template, SqsClient sqs) {
        // Dead-letter queues first: a redrive policy names its DLQ by ARN.
        List<SamTemplate.QueueDef> ordered = new ArrayList<>(template.queues());
        ordered.sort((a, b) -> Boolean.compare(a.dlqLogicalId().isPresent(), b.dlqLogicalId().isPresent()));
        for (SamTemplate.QueueDef queue : ordered) {
            Map<QueueAttributeName, String> attributes = new HashMap<>();
            attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(queue.visibilityTimeoutSeconds()));
            queue.dlqLogicalId().ifPresent(dlq -> attributes.put(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + queueArn(dlq) + "\",\"maxReceiveCount\":" + queue.maxReceiveCount() + "}"));
            String url = sqs.createQueue(r -> r.queueName(queue.logicalId()).attributes(attributes)).queueUrl();
            queueUrls.put(queue.logicalId(), url);
            // Ask for the ARN: an external emulator has its own account id.
            queueArns.put(queue.logicalId(), sqs.getQueueAttributes(r -> r.queueUrl(url)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN));
        }
    }

    private void createBucket(SamTemplate template, S3Client s3) {
        try {
            s3.createBucket(r -> r.bucket(BUCKET));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException e) {
            // a stack restarted against the same emulator keeps its bucket
        }
        List<QueueConfiguration> configs = new ArrayList<>();
        for (SamTemplate.BucketNotification n : template.bucketNotifications()) {
            List<FilterRule> rules = new ArrayList<>();
            if (!n.prefix().isEmpty()) rules.add(FilterRule.builder().name("prefix").value(n.prefix()).build());
            if (!n.suffix().isEmpty()) rules.add(FilterRule.builder().name("suffix").value(n.suffix()).build());
            configs.add(QueueConfiguration.builder()
                    .id(n.bucketLogicalId() + "-" + n.queueLogicalId())
                    .queueArn(queueArn(n.queueLogicalId()))
                    .events(Event.fromValue(n.event()))
                    .filter(f -> f.key(k -> k.filterRules(rules)))
                    .build());
        }
        s3.putBucketNotificationConfiguration(r -> r.bucket(BUCKET)
                .notificationConfiguration(c -> c.queueConfigurations(configs)));
    }

    public S3Client s3Client() {
        return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AWS_KEY, AWS_SECRET)))
                .endpointOverride(awsEndpoint).forcePathStyle(true).build();
    }

    public SqsClient sqsClient() {
        return SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AWS_KEY, AWS_SECRET)))
                .endpointOverride(awsEndpoint).build();
    }

    private String queueArn(String logicalId) {
        String arn = queueArns.get(logicalId);
        if (arn == null) {
            throw new IllegalStateException("template.yaml names queue " + logicalId + " but does not define it");
        }
        return arn;
    }

    public URI apiUrl() {
        return gateway.baseUrl();
    }

    /** ws://host:port/ws: the WebSocket API (connect with ?token=). */
    public URI webSocketUrl() {
        return realtime.webSocketUrl();
    }

    public URI redisUrl() {
        return realtime.redisUrl();
    }

    /** The real-time pieces, for tests and the benchmark (open connections and streams). */
    LocalRealtime realtime() {
        return realtime;
    }

    public URI awsEndpoint() {
        return awsEndpoint;
    }

    public String databaseUrl() {
        return database.url();
    }

    public boolean embeddedDatabase() {
        return database.embedded();
    }

    public TokenIssuer issuer() {
        return issuer;
    }

    /** The Replicate stand-in, or null when the real API is configured. */
    public ReplicateStandIn replicate() {
        return replicate;
    }

    /** The Stripe stand-in, or null when a real Stripe API is configured. */
    public StripeStandIn stripe() {
        return stripe;
    }

    public LocalStripe stripeSettings() {
        return stripeSettings;
    }

    public String queueUrl(String logicalId) {
        return queueUrls.get(logicalId);
    }

    FunctionPool function(String logicalId) {
        FunctionPool pool = functions.get(logicalId);
        if (pool == null) {
            throw new IllegalArgumentException("no function " + logicalId + " in template.yaml; known: " + functions.keySet());
        }
        return pool;
    }

    private <T extends AutoCloseable> T track(T resource) {
        return resources.track(resource);
    }

    @Override
    public void close() {
        resources.close();
    }
}
