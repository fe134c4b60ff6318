package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import ai.realstaging.local.template.SamTemplate;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code realstaging sweep}: the maintenance function once, as its schedule would run it, against
 * the database, S3 and SQS of the stack {@code up} is running (it leaves their addresses in
 * REALSTAGING_HOME) or those the environment names, and what it did printed.
 */
final class SweepRun {
    static final String STACK_FILE = "stack.properties";
    private static final List<String> SETTINGS = List.of("DATABASE_URL", "AWS_ENDPOINT_URL", "BUCKET_NAME",
            "STAGING_QUEUE_URL");

    private SweepRun() {}

    /** Written by {@code up} (readable by this user only: a DATABASE_URL may hold a password), removed on stop. */
    static Path rememberStack(Path home, LocalStack stack) {
        Properties p = new Properties();
        p.setProperty("DATABASE_URL", stack.databaseUrl());
        p.setProperty("AWS_ENDPOINT_URL", stack.awsEndpoint().toString());
        p.setProperty("BUCKET_NAME", LocalStack.BUCKET);
        p.setProperty("STAGING_QUEUE_URL", stack.queueUrl("StagingQueue"));
        Path file = home.resolve(STACK_FILE);
        try {
            Files.createDirectories(home);
            Path tmp = Files.createTempFile(home, "stack", ".tmp");
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            try (Writer out = Files.newBufferedWriter(tmp)) {
                p.store(out, "the running local stack (./realstaging up), for ./realstaging sweep");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("[local] could not record the stack for ./realstaging sweep: " + e.getMessage());
        }
        return file;
    }

    /** Removes the record on stop, unless another stack started since has replaced it. */
    static void forgetStack(Path file, LocalStack stack) {
        try {
            if (stack.awsEndpoint().toString().equals(read(file).get("AWS_ENDPOINT_URL"))) {
                Files.delete(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // a stale record only makes the next sweep fail to connect, with a message saying so
        }
    }

    /** Runs the sweeps once and prints the summary; 0 when every sweep succeeded. */
    static int run(Path root, Path home, Map<String, String> environment) throws InterruptedException {
        Map<String, String> settings = settings(home, environment);
        if (!settings.containsKey("DATABASE_URL")) {
            System.err.println("""
                    sweep: no database to sweep. Start the local stack (./realstaging up) and run this beside it,
                    or name the services: DATABASE_URL (and AWS_ENDPOINT_URL, default http://127.0.0.1:4566).""");
            return 2;
        }
        settings.putIfAbsent("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
        settings.putIfAbsent("BUCKET_NAME", LocalStack.BUCKET);
        settings.putIfAbsent("AWS_ACCESS_KEY_ID", LocalStack.AWS_KEY);
        settings.putIfAbsent("AWS_SECRET_ACCESS_KEY", LocalStack.AWS_SECRET);
        settings.putIfAbsent("AWS_REGION", LocalStack.REGION);
        if (!settings.containsKey("STAGING_QUEUE_URL")) {
            try {
                settings.put("STAGING_QUEUE_URL", queueUrl(settings));
            } catch (RuntimeException e) {
                System.err.println("sweep: no StagingQueue at " + settings.get("AWS_ENDPOINT_URL") + " ("
                        + e.getClass().getSimpleName() + "); is the local stack running?");
                return 2;
            }
        }

        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        List<SamTemplate.ScheduleSource> schedules = LocalSchedules.enabled(template);
        if (schedules.isEmpty()) {
            System.err.println("sweep: template.yaml has no enabled Schedule event");
            return 2;
        }
        SamTemplate.ScheduleSource schedule = schedules.getFirst();
        SamTemplate.FunctionDef def = template.function(schedule.functionLogicalId()).orElseThrow();
        settings.put("POWERTOOLS_SERVICE_NAME", def.logicalId());
        FunctionPool function;
        try {
            function = new FunctionPool(def.logicalId(), def.handler(), FunctionCode.of(root, template, def).classLoader(),
                    settings, def.memoryMb(), def.timeoutSeconds(), 1);
        } catch (IllegalStateException e) {
            System.err.println("sweep: " + e.getMessage());
            return 2;
        }
        try {
            Object summary = function.invoke(LocalSchedules.event(schedule, Instant.now()));
            System.out.println(Json.write(summary));
            return 0;
        } catch (RuntimeException e) {
            System.err.println("sweep: " + e.getMessage());
            return 1;
        }
    }

    /** The running stack's addresses, each replaced by the environment's where it names one. */
    static Map<String, String> settings(Path home, Map<String, String> environment) {
        Map<String, String> settings = read(home.resolve(STACK_FILE));
        for (String name : SETTINGS) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) settings.put(name, value);
        }
        return settings;
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> values = new HashMap<>();
        if (!Files.isRegularFile(file)) return values;
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        p.stringPropertyNames().forEach(name -> values.put(name, p.getProperty(name)));
        return values;
    }

    private static String queueUrl(Map<String, String> settings) {
        try (SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.get("AWS_REGION")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        settings.get("AWS_ACCESS_KEY_ID"), settings.get("AWS_SECRET_ACCESS_KEY"))))
                .endpointOverride(URI.create(settings.get("AWS_ENDPOINT_URL"))).build()) {
            return sqs.getQueueUrl(r -> r.queueName("StagingQueue")).queueUrl();
        }
    }
}
