// unit: the events/ fixtures load as the Lambda runtime would deserialise them, with the fields AWS sends
package ai.realstaging.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EventsFixturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"http_api_create_project.json", "http_api_list_projects.json", "http_api_get_image.json",
            "http_api_start_upload.json", "http_api_health.json", "http_api_stripe_webhook.json",
            "http_api_set_active_model.json", "http_api_save_model_config.json"})
    void httpApiEventsArePayload2WithConsistentRouteAndPath(String file) {
        APIGatewayV2HTTPEvent event = Events.http("apigw/" + file);
        JsonNode raw = Json.read(Events.text("apigw/" + file));

        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getRouteKey()).isEqualTo(event.getRequestContext().getRouteKey());
        assertThat(event.getRouteKey()).startsWith(event.getRequestContext().getHttp().getMethod() + " /v1/");
        assertThat(event.getRawPath()).isEqualTo(event.getRequestContext().getHttp().getPath());
        assertThat(event.getRequestContext().getStage()).isEqualTo("$default");
        assertThat(event.getRequestContext().getRequestId()).isNotBlank();
        assertThat(event.getRequestContext().getTimeEpoch()).isPositive();
        assertThat(event.getHeaders().keySet()).allSatisfy(h -> assertThat(h).isEqualTo(h.toLowerCase()));
        assertThat(raw.path("isBase64Encoded").isBoolean()).isTrue();
        if (event.getBody() != null) {
            assertThat(event.getHeaders().get("content-length"))
                    .isEqualTo(String.valueOf(event.getBody().getBytes(StandardCharsets.UTF_8).length));
        }
        String template = event.getRouteKey().substring(event.getRouteKey().indexOf(' ') + 1);
        String path = template;
        if (event.getPathParameters() != null) {
            for (var p : event.getPathParameters().entrySet()) path = path.replace("{" + p.getKey() + "}", p.getValue());
        }
        assertThat(event.getRawPath()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http_api_create_project.json", "http_api_list_projects.json", "http_api_get_image.json",
            "http_api_start_upload.json", "http_api_set_active_model.json", "http_api_save_model_config.json"})
    void authorizedEventsCarryJwtClaimsAsStrings(String file) {
        JsonNode jwt = Json.read(Events.text("apigw/" + file)).path("requestContext").path("authorizer").path("jwt");

        for (String claim : List.of("sub", "email", "iss", "aud", "exp", "iat")) {
            assertThat(jwt.path("claims").path(claim).isTextual()).as(claim).isTrue();
        }
        assertThat(jwt.has("scopes")).isTrue();
        assertThat(jwt.path("scopes").isNull()).isTrue();
        assertThat(Events.http("apigw/" + file).getRequestContext().getAuthorizer().getJwt().getClaims())
                .containsKey("sub");
    }

    @Test
    void theHealthCheckIsUnauthenticated() {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_health.json");

        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        assertThat(event.getHeaders()).doesNotContainKey("authorization");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqs_s3_object_created.json", "sqs_s3_test_event.json", "sqs_stage_image.json"})
    void sqsRecordsCarryTheirBodyMd5AndReceiveCount(String file) throws Exception {
        SQSEvent.SQSMessage message = Events.sqs("sqs/" + file).getRecords().getFirst();

        String md5 = String.format("%032x", new BigInteger(1,
                MessageDigest.getInstance("MD5").digest(message.getBody().getBytes(StandardCharsets.UTF_8))));
        assertThat(message.getMd5OfBody()).isEqualTo(md5);
        assertThat(message.getEventSource()).isEqualTo("aws:sqs");
        assertThat(message.getAttributes()).containsEntry("ApproximateReceiveCount", "1");
        assertThat(message.getMessageId()).isNotBlank();
        assertThat(message.getReceiptHandle()).isNotBlank();
    }

    @Test
    void theSqsUploadEventWrapsTheBareS3Notification() {
        JsonNode inner = Json.read(Events.sqs("sqs/sqs_s3_object_created.json").getRecords().getFirst().getBody());
        JsonNode bare = Json.read(Events.text("s3/s3_object_created.json"));

        assertThat(inner).isEqualTo(bare);
        JsonNode record = bare.path("Records").path(0);
        assertThat(record.path("eventVersion").asText()).isEqualTo("2.1");
        assertThat(record.path("eventName").asText()).isEqualTo("ObjectCreated:Put");
        assertThat(record.path("s3").path("object").path("key").asText()).startsWith("uploads/").contains("+");
    }

    @Test
    void theScheduledEventIsWhatAnEventBridgeRuleDelivers() {
        ScheduledEvent event = Events.scheduled("scheduled/scheduled_event.json");
        JsonNode raw = Json.read(Events.text("scheduled/scheduled_event.json"));

        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getId()).isNotBlank();
        assertThat(event.getTime().getMillis()).isEqualTo(java.time.Instant.parse(raw.path("time").asText()).toEpochMilli());
        assertThat(event.getResources()).singleElement().asString()
                .startsWith("arn:aws:events:" + event.getRegion() + ":" + event.getAccount() + ":rule/");
        assertThat(event.getDetail()).isEmpty();
        assertThat(raw.path("version").asText()).isEqualTo("0");
    }

    @Test
    void theBareS3NotificationLoadsAsAnS3Event() {
        S3Event event = EventLoader.loadS3Event(Events.path("s3/s3_object_created.json").toString());

        var entity = event.getRecords().getFirst().getS3();
        assertThat(entity.getBucket().getName()).isEqualTo("realstaging-media-dev");
        assertThat(entity.getObject().getSizeAsLong()).isEqualTo(2483117L);
        assertThat(entity.getObject().getUrlDecodedKey()).endsWith("/living room.jpg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket_connect.json", "websocket_ping.json", "websocket_disconnect.json"})
    void webSocketEventsNameTheirRouteEventTypeAndConnection(String file) {
        var event = Events.webSocket("websocket/" + file);
        var context = event.getRequestContext();

        String expectedType = switch (context.getRouteKey()) {
            case "$connect" -> "CONNECT";
            case "$disconnect" -> "DISCONNECT";
            default -> "MESSAGE";
        };
        assertThat(context.getEventType()).isEqualTo(expectedType);
        assertThat(context.getConnectionId()).isNotBlank();
        assertThat(context.getStage()).isEqualTo("ws");
        assertThat(context.getDomainName()).startsWith(context.getApiId() + ".execute-api.");
        assertThat(context.getConnectedAt()).isPositive().isLessThanOrEqualTo(context.getRequestTimeEpoch());
        if (expectedType.equals("CONNECT")) {
            // The browser WebSocket API cannot set headers: the token travels as ?token=, as in AWS.
            assertThat(event.getQueryStringParameters()).containsKey("token");
        }
        if (expectedType.equals("MESSAGE")) {
            assertThat(Json.read(event.getBody()).path("action").asText()).isEqualTo("ping");
        }
    }
}
