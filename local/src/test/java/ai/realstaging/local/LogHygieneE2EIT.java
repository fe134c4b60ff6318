package ai.realstaging.local;

// end-to-end: every log line the functions write while a photo goes from upload to download and
// deletion, captured from the logging system (the stack's and each function's own), holds no token, presigned URL query or secret

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.template.SamTemplate;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogHygieneE2EIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalStack stack;
    private final Capture capture = new Capture();
    private final List<FunctionLogs> functionLogs = new ArrayList<>();

    /** Keeps every event at any level, with its exception's stack trace, as a Lambda log would hold it. */
    private static final class Capture extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Capture() {
            super("log-hygiene-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ')
                    .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(' ').append(trace);
            }
            lines.add(line.toString());
        }
    }

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        capture.start();
        install(context.getConfiguration());
        // Logging set-up in the functions may replace the configuration: the capture follows it.
        context.addPropertyChangeListener(change -> {
            if (LoggerContext.PROPERTY_CONFIG.equals(change.getPropertyName())
                    && change.getNewValue() instanceof Configuration replaced) {
                install(replaced);
            }
        });
        context.updateLoggers();
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), null, null, null, home));
        // Each function logs through its own Log4j (its layer's, in its own class loader), as in Lambda.
        for (SamTemplate.FunctionDef function : SamTemplate.load(Cli.root().resolve("template.yaml")).functions()) {
            functionLogs.add(FunctionLogs.capture(stack.function(function.logicalId()).code(), capture.lines::add));
        }
    }

    /** Every configured logger gets the capture: ours do not pass events up to the root (additivity off). */
    private void install(Configuration config) {
        config.addAppender(capture);
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(capture.getName());
            logger.addAppender(capture, Level.ALL, null);
            // The tests run at WARN; in Lambda our lines are logged at INFO, and those must be clean too.
            if (logger.getName().startsWith("ai.realstaging")) logger.setLevel(Level.DEBUG);
        }
        config.getRootLogger().removeAppender(capture.getName());
        config.getRootLogger().addAppender(capture, Level.ALL, null);
    }

    @AfterAll
    void stop() throws Exception {
        for (FunctionLogs logs : functionLogs) logs.close();
        if (stack != null) stack.close();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        for (LoggerConfig logger : context.getConfiguration().getLoggers().values()) {
            logger.removeAppender(capture.getName());
        }
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        context.updateLoggers();
    }

    @Test
    void aWholeFlowLogsNoTokenNoPresignedQueryAndNoSecret() throws Exception {
        String token = stack.issuer().mint("careful-logs", false, Duration.ofHours(1));
        ApiClient api = new ApiClient(HTTP, stack.apiUrl(), token);
        String project = api.post("/v1/projects", Map.of("name", "Quiet logs")).body().path("id").asText();
        byte[] photo = Photos.emptyRoom(320, 240, "jpg");
        JsonNode started = api.post("/v1/projects/" + project + "/uploads", Map.of("filename", "room.jpg",
                "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "living_room",
                "styles", List.of("modern"))).body();
        assertThat(api.upload(started.path("upload"), photo)).isEqualTo(200);
        String imageId = started.path("images").path(0).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!api.get("/v1/images/" + imageId).body().path("status").asText().equals("ready")) {
            assertThat(System.nanoTime()).as("image ready within 10 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(api.raw("/v1/images/" + imageId + "/download").statusCode()).isEqualTo(302);
        api.post("/v1/projects/" + project + "/uploads", Map.of("filename", "bad.gif", "content_type", "image/gif",
                "size_bytes", 10, "room_type", "living_room", "styles", List.of("modern")));
        new ApiClient(HTTP, stack.apiUrl(), token + "x").get("/v1/projects");
        assertThat(api.delete("/v1/projects/" + project).status()).isEqualTo(204);

        // The capture sees the functions' own lines (so an empty capture cannot pass for a clean one).
        assertThat(capture.lines).anyMatch(l -> l.contains("POST /v1/projects/{id}/uploads -> 201"));
        assertThat(capture.lines).anyMatch(l -> l.contains("GET /v1/images/{id}/download -> 302"));
        assertThat(capture.lines).anyMatch(l -> l.contains(imageId) && l.contains("ready"));
        String[] signatureOfAToken = token.split("\\.");
        for (String line : capture.lines) {
            assertThat(line).doesNotContain("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
                    "Bearer ", signatureOfAToken[2], signatureOfAToken[1], LocalStack.STAND_IN_TOKEN);
        }
    }
}
