package ai.realstaging.local.bench;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.local.ApiClient;
import ai.realstaging.local.FunctionCode;
import ai.realstaging.local.TokenIssuer;
import ai.realstaging.local.template.SamTemplate;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The walking skeleton's benchmark, against a running local stack: cold start of the presign and
 * projects functions from their deployable zips and the layers template.yaml gives them, in new JVMs, and warm GET /v1/projects through the
 * gateway at a given concurrency. Prints its figures; see benchmarks/README.md.
 */
public final class Bench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Bench.options(args);
        URI api = URI.create(opt.getOrDefault("api", "http://127.0.0.1:3000"));
        URI aws = URI.create(opt.getOrDefault("aws", "http://127.0.0.1:4566"));
        Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath().normalize();
        String databaseUrl = opt.getOrDefault("database-url", System.getenv("DATABASE_URL"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "10"));
        int clients = Integer.parseInt(opt.getOrDefault("clients", "32"));
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "10"));
        List<String> parts = List.of(opt.getOrDefault("parts", "cold,warm,realtime").split(","));

        TokenIssuer issuer = TokenIssuer.load(TokenIssuer.defaultHome());
        String token = issuer.mint("bench", false, Duration.ofHours(2));
        ApiClient client = new ApiClient(HTTP, api, token);
        // Enough projects for a full first page, and a plan whose quota the presign runs cannot exhaust.
        for (int i = 0; i < 20; i++) client.post("/v1/projects", Map.of("name", "Bench listing " + i));
        String projectId = client.get("/v1/projects?limit=1").body().path("items").path(0).path("id").asText();
        DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
            c.createStatement().execute("UPDATE users SET plan_id = 'business' WHERE auth_sub = 'local|bench'");
            c.createStatement().execute("UPDATE usage_reservations SET status = 'released' "
                    + "WHERE user_id = (SELECT id FROM users WHERE auth_sub = 'local|bench')");
        }

        Path work = root.resolve("local/target/bench");
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("BUCKET_NAME", "realstaging-media-local");
        env.put("AWS_ENDPOINT_URL", aws.toString());
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_REGION", "us-east-1");
        // Projects' INIT requires it (re-stage and retry send stage messages); the GET timed here sends none.
        env.put("STAGING_QUEUE_URL", stagingQueueUrl(aws));
        env.put("AUTH_ROLES_CLAIM", TokenIssuer.ROLES_CLAIM);
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("POWERTOOLS_SERVICE_NAME", "bench");
        env.put("POWERTOOLS_METRICS_NAMESPACE", "RealStaging");
        env.put("POWERTOOLS_LOG_LEVEL", "INFO");

        Map<String, String> claims = Map.of("sub", "local|bench", "email", "bench@example.test");
        Path presignEvent = writeEvent(work.resolve("presign-event.json"), "POST", "/v1/projects/{id}/uploads",
                "/v1/projects/" + projectId + "/uploads", Map.of("id", projectId), claims,
                "{\"filename\":\"room.jpg\",\"content_type\":\"image/jpeg\",\"size_bytes\":123456,"
                        + "\"room_type\":\"living_room\",\"styles\":[\"modern\"]}");
        Path projectsEvent = writeEvent(work.resolve("projects-event.json"), "GET", "/v1/projects", "/v1/projects",
                null, claims, null);

        if (parts.contains("cold")) {
            System.out.println("== cold start: new JVM -> first response (function zip + the layers it names), " + runs + " runs each");
            FunctionCode presign = FunctionCode.of(root, template, template.function("PresignFunction").orElseThrow());
            FunctionCode projects = FunctionCode.of(root, template, template.function("ProjectsFunction").orElseThrow());
            for (String flags : List.of("", "-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=1 +AOT")) {
                cold("presign", handlerClass(template, "PresignFunction"), presign, presignEvent, root, work, env, flags, runs);
                cold("projects", handlerClass(template, "ProjectsFunction"), projects, projectsEvent, root, work, env, flags, runs);
            }
        }

        if (parts.contains("warm")) {
            System.out.println("== warm: GET /v1/projects through the local gateway, " + clients + " clients, " + seconds + " s");
            warm(api, token, "/v1/projects", clients, 10); // JIT warm-up, not measured
            warm(api, token, "/v1/projects", clients, seconds).print();
        }

        if (parts.contains("realtime")) {
            System.out.println("== WebSocket server library (Jetty 12 core WebSocket) start-up in a new JVM, " + runs + " runs");
            webSocketStartup(root, runs);
            URI ws = URI.create(opt.getOrDefault("ws", "ws://" + api.getHost() + ":" + (api.getPort() + 1) + "/ws"));
            int uploads = Integer.parseInt(opt.getOrDefault("realtime-uploads", "30"));
            List<Integer> idle = java.util.Arrays.stream(opt.getOrDefault("idle", "0,1000,4000").split(","))
                    .map(String::trim).map(Integer::parseInt).toList();
            System.out.println("== live events: image status change in PostgreSQL -> event at a connected client, "
                    + uploads + " uploads per level");
            new RealtimeBench(api, ws, issuer, databaseUrl).run(idle, uploads);
        }
    }

    /** New JVM, Jetty's WebSocket server started once: its own time, and the process's to that point. */
    private static void webSocketStartup(Path root, int runs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Jetty's jars and SLF4J's API only (no provider: no logging set-up is counted), as a process that
        // serves nothing else would load them.
        String jars = Arrays.stream(Files.readString(root.resolve("local/target/classpath.txt")).trim().split(":"))
                .filter(j -> j.contains("/org/eclipse/jetty/") || j.contains("/slf4j-api-"))
                .collect(Collectors.joining(":"));
        String classpath = jar(root.resolve("local/target/classes"), root.resolve("local/target/bench/startup.jar"),
                "ai/realstaging/local/bench/WebSocketStartup") + ":" + jars;
        List<Long> own = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            Process p = new ProcessBuilder(java, "-cp", classpath, WebSocketStartup.class.getName())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("STARTED ")) {
                        total.add((System.nanoTime() - started) / 1_000_000);
                        own.add(Long.parseLong(line.substring(8).trim()));
                    }
                }
            }
            p.waitFor();
        }
        System.out.printf("Jetty WebSocket server start: median %d ms (min %d); new JVM to listening: median %d ms%n",
                median(own), Collections.min(own), median(total));
    }

    /** The running stack's staging queue, as it names it (the template's logical id). */
    private static String stagingQueueUrl(URI aws) {
        try (SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .endpointOverride(aws).build()) {
            return sqs.getQueueUrl(r -> r.queueName("StagingQueue")).queueUrl();
        }
    }

    private static String handlerClass(SamTemplate template, String functionId) {
        return template.function(functionId).orElseThrow().handlerClass();
    }

    /** The function's code as the template assembles it (FunctionCode): its zip, then the layers it names. */
    private static void cold(String name, String handler, FunctionCode code, Path event, Path root, Path work,
                             Map<String, String> env, String flags, int runs) throws Exception {
        // The JDK's AOT cache takes jars only, so the function's classes (the unpacked zip) and the harness are jarred.
        List<String> classpath = new ArrayList<>();
        classpath.add(jar(code.classpath().getFirst(), work.resolve(name + ".jar"), "").toString());
        classpath.add(jar(root.resolve("local/target/classes"), work.resolve("harness.jar"), "ai/realstaging/local/bench/").toString());
        code.classpath().stream().skip(1).forEach(j -> classpath.add(j.toString()));
        classpath.add(jarOf(LambdaEventSerializers.class));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Long> totals = new ArrayList<>();
        List<Long> inits = new ArrayList<>();
        List<Long> invokes = new ArrayList<>();
        int status = 0;
        boolean aot = flags.endsWith("+AOT");
        String jvmFlags = aot ? flags.substring(0, flags.length() - 4).trim() : flags;
        Path cache = work.resolve(name + ".aot");
        for (int i = aot ? -1 : 0; i < runs; i++) {
            // The JDK's default CDS archive is on without asking (and AOT cache flags refuse -Xshare).
            List<String> command = new ArrayList<>(List.of(java, "-Djava.awt.headless=true"));
            if (!jvmFlags.isEmpty()) command.add(jvmFlags);
            // Run -1 trains the cache (JDK 25: -XX:AOTCacheOutput); the timed runs use it.
            if (aot) command.add(i < 0 ? "-XX:AOTCacheOutput=" + cache : "-XX:AOTCache=" + cache);
            command.addAll(List.of("-cp", String.join(":", classpath), ColdStart.class.getName(), handler, event.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(env);
            long started = System.nanoTime();
            Process process = pb.start();
            String line;
            String result = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("RESPONSE ")) {
                        totals.add((System.nanoTime() - started) / 1_000_000);
                        result = line;
                    }
                }
            }
            process.waitFor();
            if (result == null) throw new IllegalStateException(name + " cold start printed no response");
            if (i < 0) {
                totals.clear();
                continue;
            }
            String[] parts = result.split(" ");
            status = Integer.parseInt(parts[1]);
            inits.add(Long.parseLong(parts[2]));
            invokes.add(Long.parseLong(parts[3]));
        }
        System.out.printf("%-9s %-26s status %d  total median %4d ms (min %4d, max %4d)  handler INIT %4d ms  first invoke %4d ms%n",
                name, flags.isEmpty() ? "default JIT" : flags, status, median(totals), Collections.min(totals),
                Collections.max(totals), median(inits), median(invokes));
    }

    record Result(long requests, long errors, double seconds, List<Long> latenciesMicros) {
        void print() {
            List<Long> sorted = new ArrayList<>(latenciesMicros);
            Collections.sort(sorted);
            System.out.printf("requests %d, errors %d, throughput %.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n",
                    requests, errors, requests / seconds, pct(sorted, 50) / 1000.0, pct(sorted, 90) / 1000.0,
                    pct(sorted, 99) / 1000.0);
        }
    }

    /** Closed-loop load: each client sends its next request when the previous one is answered. */
    static Result warm(URI api, String token, String path, int clients, int seconds) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + token).GET().build();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong errors = new AtomicLong();
        List<List<Long>> perClient = new ArrayList<>();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                List<Long> latencies = new ArrayList<>();
                perClient.add(latencies);
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t = System.nanoTime();
                        try {
                            HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() != 200) errors.incrementAndGet();
                        } catch (IOException | InterruptedException e) {
                            errors.incrementAndGet();
                        }
                        latencies.add((System.nanoTime() - t) / 1000);
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        List<Long> all = new ArrayList<>();
        perClient.forEach(all::addAll);
        return new Result(all.size(), errors.get(), elapsed, all);
    }

    private static Path writeEvent(Path file, String method, String template, String path, Map<String, String> params,
                                   Map<String, String> claims, String body) throws IOException {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey(method + " " + template).withRawPath(path).withRawQueryString("")
                .withHeaders(Map.of("content-type", "application/json"))
                .withPathParameters(params)
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("bench").withRouteKey(method + " " + template).withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(claims).build())
                                .build())
                        .build())
                .build();
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, Bench.class.getClassLoader()).toJson(event, out);
        }
        return file;
    }

    /** Jars the files under {@code dir} whose path starts with {@code prefix}. */
    private static Path jar(Path dir, Path jar, String prefix) throws IOException {
        Files.deleteIfExists(jar);
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var walk = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String entry = dir.relativize(file).toString().replace('\\', '/');
                if (!entry.startsWith(prefix)) continue;
                out.putNextEntry(new ZipEntry(entry));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** "--name value" pairs as name → value. */
    static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        return opt;
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) return 0;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
