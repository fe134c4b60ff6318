package ai.realstaging.local;

// unit: the local EventBridge stand-in's events against the events/scheduled fixture, and where `sweep` finds its services

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.Events;
import ai.realstaging.local.template.SamTemplate;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSchedulesTest {

    @Test
    void theTemplatesMaintenanceScheduleIsStartedLocally() {
        SamTemplate template = SamTemplate.load(Cli.root().resolve("template.yaml"));

        assertThat(LocalSchedules.enabled(template)).extracting(SamTemplate.ScheduleSource::functionLogicalId)
                .containsExactly("MaintenanceFunction");
    }

    @Test
    void aLocalScheduledEventHasTheFieldsOfTheOneEventBridgeSends() {
        SamTemplate.ScheduleSource source = new SamTemplate.ScheduleSource("MaintenanceFunction", "Sweep", "Schedule",
                "rate(5 minutes)", true);
        Instant time = Instant.parse("2025-06-14T10:05:00Z");

        ScheduledEvent event = LocalSchedules.event(source, time);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(ScheduledEvent.class, getClass().getClassLoader()).toJson(event, out);
        JsonNode ours = Json.read(out.toString(StandardCharsets.UTF_8));
        JsonNode aws = Json.read(Events.text("scheduled/scheduled_event.json"));

        assertThat(fieldNames(ours)).isEqualTo(fieldNames(aws));
        for (String field : new String[] {"version", "detail-type", "source", "region", "detail"}) {
            assertThat(ours.path(field)).as(field).isEqualTo(aws.path(field));
        }
        assertThat(event.getTime().getMillis()).isEqualTo(time.toEpochMilli());
        assertThat(event.getResources()).singleElement().asString().startsWith("arn:aws:events:us-east-1:")
                .contains(":rule/");
        assertThat(LocalSchedules.event(source, time).getId()).isNotEqualTo(event.getId());
    }

    @Test
    void sweepUsesTheRunningStacksServicesUnlessTheEnvironmentNamesOthers(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve(SweepRun.STACK_FILE), """
                DATABASE_URL=postgresql\\://postgres@127.0.0.1\\:5432/local
                AWS_ENDPOINT_URL=http\\://127.0.0.1\\:4566
                STAGING_QUEUE_URL=http\\://127.0.0.1\\:4566/000000000000/StagingQueue
                """);

        assertThat(SweepRun.settings(home, Map.of())).containsEntry("DATABASE_URL",
                "postgresql://postgres@127.0.0.1:5432/local").containsEntry("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
        assertThat(SweepRun.settings(home, Map.of("DATABASE_URL", "postgresql://db.example/other", "HOME", "/root")))
                .containsEntry("DATABASE_URL", "postgresql://db.example/other")
                .containsEntry("STAGING_QUEUE_URL", "http://127.0.0.1:4566/000000000000/StagingQueue")
                .doesNotContainKey("HOME");
        assertThat(SweepRun.settings(home.resolve("nothing-here"), Map.of())).isEmpty();
    }

    private static java.util.Set<String> fieldNames(JsonNode node) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
