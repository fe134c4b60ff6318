package ai.realstaging.local;

import ai.realstaging.common.staging.ImageFormat;
import ai.realstaging.local.template.SamTemplate;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The realstaging command line: up, token, stage, invoke, sweep. */
public final class Cli {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Cli() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        if (args.isEmpty() || args.getFirst().equals("help") || args.getFirst().equals("--help")) {
            usage();
            return;
        }
        String command = args.removeFirst();
        Map<String, String> flags = flags(args);
        int code = switch (command) {
            case "up" -> up(flags);
            case "token" -> token(flags);
            case "stage" -> stage(args, flags);
            case "invoke" -> invoke(args, flags);
            case "sweep" -> SweepRun.run(root(), TokenIssuer.defaultHome(), System.getenv());
            case "stripe" -> stripe(args, flags);
            default -> {
                System.err.println("unknown command: " + command);
                usage();
                yield 2;
            }
        };
        System.exit(code);
    }

    private static void usage() {
        System.err.println("""
                usage: ./realstaging <command>
                  up [--port 3000] [--aws-port 4566] [--host 127.0.0.1] [--sweep-every 60]
                                                          start the whole system locally and print its URLs and a token;
                                                          the maintenance sweeps run every --sweep-every seconds (0: never)
                  token --user NAME [--admin]             print a bearer token for a local user (--admin: admin role)
                  stage PHOTO --room ROOM --style STYLE --out FILE [--mode MODE] [--seed N] [--model ID] [--user NAME] [--api URL]
                                                          stage one photo end to end and write the result
                                                          (--model: made the active model for the run through the
                                                          admin API with a local admin token, then switched back)
                  invoke FUNCTION --event FILE            run one function on one event, like `sam local invoke`
                  sweep                                   run the maintenance sweeps once against the running stack
                                                          (or DATABASE_URL / AWS_ENDPOINT_URL) and print what they did
                  stripe trigger EVENT --user NAME [--plan pro] [--api URL] [--stripe URL]
                                                          make EVENT happen at the Stripe stand-in for NAME and post the
                                                          signed events to the webhook, as `stripe trigger` does
                  test                                    run every test tier (mvn verify)
                Environment: DATABASE_URL (else embedded PostgreSQL), AWS_ENDPOINT_URL (else in-JVM S3 and SQS),
                REDIS_URL (else embedded Redis), REPLICATE_API_TOKEN (else the Replicate stand-in),
                REALSTAGING_HOME (issuer key; ~/.realstaging), STRIPE_SECRET_KEY (else the Stripe stand-in),
                STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PRO, STRIPE_PRICE_BUSINESS.""");
    }

    private static int up(Map<String, String> flags) throws Exception {
        LocalStack.Options options = LocalStack.Options.fromEnvironment(root())
                .withPorts(intFlag(flags, "port", 3000), intFlag(flags, "aws-port", 4566))
                .withHost(flags.getOrDefault("host", "127.0.0.1"));
        LocalStack stack = LocalStack.start(options);
        int sweepEvery = intFlag(flags, "sweep-every", Integer.parseInt(System.getenv()
                .getOrDefault("REALSTAGING_SWEEP_SECONDS", "60")));
        LocalSchedules schedules = LocalSchedules.start(stack, SamTemplate.load(options.root().resolve("template.yaml")),
                Duration.ofSeconds(sweepEvery));
        Path stackFile = SweepRun.rememberStack(options.home(), stack);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            schedules.close();
            SweepRun.forgetStack(stackFile, stack);
            stack.close();
            stopped.countDown();
        }));
        String token = stack.issuer().mint("demo", false, Duration.ofHours(12));
        System.out.println("""
                Real Staging AI is running locally.
                  HTTP API        %s   (try: curl %s/v1/health)
                  S3 + SQS        %s   (AWS_ENDPOINT_URL; keys test/test, region us-east-1, bucket %s)
                  Staging queue   %s
                  PostgreSQL      %s%s
                  Replicate       %s
                  Maintenance     %s
                  Stripe          %s
                  JWKS            %s/.well-known/jwks.json   (issuer %s, audience %s)
                  Live events     %s?token=TOKEN   (WebSocket API; {"action":"ping"} answers a pong)
                                  %s/v1/events   (SSE; Authorization: Bearer, or ?ticket= from POST /v1/events/tickets)
                  Redis           %s%s
                Token for user "demo" (12 h; more with ./realstaging token --user NAME):
                %s
                Stop with Ctrl-C.""".formatted(stack.apiUrl(), stack.apiUrl(), stack.awsEndpoint(), LocalStack.BUCKET,
                stack.queueUrl("StagingQueue"), redact(stack.databaseUrl()), stack.embeddedDatabase() ? " (embedded)" : "",
                stack.replicate() == null ? "api.replicate.com (REPLICATE_API_TOKEN)" : stack.replicate().baseUrl() + " (stand-in)",
                sweepEvery > 0 ? "sweeps every " + sweepEvery + " s (now: ./realstaging sweep)" : "off (./realstaging sweep runs it)",
                stripeLine(stack),
                stack.apiUrl(), TokenIssuer.ISSUER, TokenIssuer.AUDIENCE, stack.webSocketUrl(), stack.apiUrl(),
                stack.redisUrl(), stack.realtime().embeddedRedis() ? " (embedded)" : "", token));
        stopped.await();
        return 0;
    }

    private static int stripe(List<String> positional, Map<String, String> flags) throws Exception {
        String user = flags.get("user");
        if (positional.size() != 2 || !positional.getFirst().equals("trigger") || user == null
                || !user.matches("[A-Za-z0-9._@-]{1,64}")) {
            System.err.println("usage: ./realstaging stripe trigger EVENT --user NAME [--plan pro] [--api URL] [--stripe URL]");
            ai.realstaging.local.stripe.StripeTrigger.EVENTS.forEach((e, what) -> System.err.printf("  %-32s %s%n", e, what));
            return 2;
        }
        String secret = System.getenv().getOrDefault("STRIPE_WEBHOOK_SECRET", "");
        var trigger = new ai.realstaging.local.stripe.StripeTrigger(HTTP,
                URI.create(flags.getOrDefault("api", "http://127.0.0.1:3000")),
                URI.create(flags.getOrDefault("stripe", "http://127.0.0.1:" + ai.realstaging.local.stripe.LocalStripe.DEFAULT_PORT)),
                secret.isBlank() ? ai.realstaging.local.stripe.LocalStripe.DEFAULT_WEBHOOK_SECRET : secret);
        String token = TokenIssuer.load(TokenIssuer.defaultHome()).mint(user, false, Duration.ofHours(1));
        try {
            for (var d : trigger.trigger(positional.get(1), token, flags.getOrDefault("plan", "pro"))) {
                System.out.printf("%s %-32s -> %d %s%n", d.eventId(), d.type(), d.status(), d.response());
            }
            return 0;
        } catch (ai.realstaging.local.stripe.StripeTrigger.TriggerException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }

    /** Where Stripe is and which settings are the local defaults (never a configured secret's value). */
    private static String stripeLine(LocalStack stack) {
        var settings = stack.stripeSettings();
        String where = stack.stripe() == null ? settings.apiBase() + " (STRIPE_SECRET_KEY)"
                : stack.stripe().baseUrl() + " (stand-in; ./realstaging stripe trigger EVENT --user NAME)";
        return where + "\n                  webhook         " + stack.apiUrl() + "/v1/webhooks/stripe"
                + (settings.defaults().isEmpty() ? "" : "\n                  Stripe defaults " + String.join(" ", settings.defaults()));
    }

    private static int token(Map<String, String> flags) {
        String user = flags.get("user");
        if (user == null || user.isBlank() || !user.matches("[A-Za-z0-9._@-]{1,64}")) {
            System.err.println("usage: ./realstaging token --user NAME [--admin]   (NAME: letters, digits, . _ @ -)");
            return 2;
        }
        System.out.println(TokenIssuer.load(TokenIssuer.defaultHome()).mint(user, flags.containsKey("admin"), Duration.ofHours(12)));
        return 0;
    }

    private static int stage(List<String> positional, Map<String, String> flags) throws Exception {
        if (positional.isEmpty() || !flags.containsKey("out")) {
            System.err.println("usage: ./realstaging stage PHOTO --room ROOM --style STYLE --out FILE");
            return 2;
        }
        Path photo = Path.of(positional.getFirst());
        if (!Files.isReadable(photo)) {
            System.err.println("cannot read " + photo);
            return 2;
        }
        byte[] bytes = Files.readAllBytes(photo);
        ImageFormat format = ImageFormat.sniff(bytes).orElse(null);
        if (format == null) {
            System.err.println(photo + " is not a JPEG, PNG or WebP image");
            return 2;
        }
        String room = flags.getOrDefault("room", "living_room");
        String style = flags.getOrDefault("style", "modern");
        URI api = URI.create(flags.getOrDefault("api", "http://127.0.0.1:3000"));
        LocalStack own = null;
        if (!reachable(api)) {
            System.err.println("no stack answers at " + api + "; starting one for this run...");
            own = LocalStack.start(LocalStack.Options.fromEnvironment(root()).withPorts(0, 0));
            api = own.apiUrl();
        }
        try {
            TokenIssuer issuer = own != null ? own.issuer() : TokenIssuer.load(TokenIssuer.defaultHome());
            String token = issuer.mint(flags.getOrDefault("user", "cli"), false, Duration.ofHours(1));
            String model = flags.get("model");
            String adminToken = model == null ? null : issuer.mint("cli-admin", true, Duration.ofHours(1));
            Long seed;
            try {
                seed = flags.containsKey("seed") ? Long.valueOf(flags.get("seed")) : null;
            } catch (NumberFormatException e) {
                System.err.println("--seed must be a whole number from 1 to 4294967295");
                return 2;
            }
            return new StageRun(HTTP, api, token, adminToken).run(photo, bytes, format, room, style, flags.get("mode"),
                    seed, Path.of(flags.get("out")), model);
        } finally {
            if (own != null) own.close();
        }
    }

    private static int invoke(List<String> positional, Map<String, String> flags) throws Exception {
        if (positional.isEmpty() || !flags.containsKey("event")) {
            System.err.println("usage: ./realstaging invoke FUNCTION --event FILE   (FUNCTION: e.g. PresignFunction or presign)");
            return 2;
        }
        try (LocalStack stack = LocalStack.start(LocalStack.Options.fromEnvironment(root()).withPorts(0, 0))) {
            FunctionPool function = stack.function(logicalId(positional.getFirst()));
            Type[] io = handlerTypes(function.handlerType());
            Object event;
            try (InputStream in = Files.newInputStream(Path.of(flags.get("event")))) {
                event = serializer(raw(io[0])).fromJson(in);
            }
            Object response = function.invoke(event);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            serializer(raw(io[1])).toJson(response, out);
            System.out.println(out.toString(StandardCharsets.UTF_8));
            return 0;
        }
    }

    /** presign → PresignFunction, stage-image → StageImageFunction; a logical id passes through. */
    static String logicalId(String name) {
        if (name.endsWith("Function")) return name;
        StringBuilder id = new StringBuilder();
        for (String part : name.split("[-_]")) {
            if (!part.isEmpty()) id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return id + "Function";
    }

    private static Type[] handlerTypes(Class<?> handler) {
        for (Type type : handler.getGenericInterfaces()) {
            if (type instanceof ParameterizedType p
                    && p.getRawType().getTypeName().equals("com.amazonaws.services.lambda.runtime.RequestHandler")) {
                return p.getActualTypeArguments();
            }
        }
        throw new IllegalStateException(handler + " does not implement RequestHandler");
    }

    /** Map for Map&lt;String, Object&gt;: a handler may answer a parameterized type. */
    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static PojoSerializer<Object> serializer(Class<?> type) {
        return (PojoSerializer) LambdaEventSerializers.serializerFor(type, Cli.class.getClassLoader());
    }

    static boolean reachable(URI api) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(api.resolve("/v1/health"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The repository root: where template.yaml is, from the working directory up. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("template.yaml"))) return p;
        }
        throw new IllegalStateException("template.yaml not found from " + dir + " upwards; run from the repository");
    }

    private static Map<String, String> flags(List<String> args) {
        Map<String, String> flags = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String name = a.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    flags.put(name.substring(0, eq), name.substring(eq + 1));
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    flags.put(name, args.get(++i));
                } else {
                    flags.put(name, "true");
                }
            } else {
                positional.add(a);
            }
        }
        args.clear();
        args.addAll(positional);
        return flags;
    }

    private static int intFlag(Map<String, String> flags, String name, int fallback) {
        return flags.containsKey(name) ? Integer.parseInt(flags.get(name)) : fallback;
    }

    private static String redact(String url) {
        return url.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@");
    }
}
