// unit: Replicate stand-in over loopback HTTP
package ai.realstaging.local.replicate;

import static ai.realstaging.local.replicate.ReplicateTestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicateFaultsTest {

  private ReplicateTestSupport t;

  @BeforeEach
  void start() {
    t = new ReplicateTestSupport();
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void rateLimitedAnswers429WithRetryAfterAndCreatesNothing() throws Exception {
    t.standIn.inject(new Fault.RateLimited(7));

    HttpResponse<String> r = t.createQwen("");

    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(json(r).get("detail").asText()).isEqualTo("Request was throttled. Your rate limit resets in ~7s.");
    assertThat(json(r).get("status").asInt()).isEqualTo(429);
    assertThat(t.standIn.createCount()).isZero();
    assertThat(t.standIn.predictions()).isEmpty();
    assertThat(t.createQwen("").statusCode()).isEqualTo(201); // the fault is used up
    assertThat(t.standIn.createCount()).isEqualTo(1);
  }

  @Test
  void serverErrorAnswersThe5xxAndCreatesNothing() throws Exception {
    t.standIn.inject(new Fault.ServerError(503));
    t.standIn.inject(new Fault.ServerError(500));

    HttpResponse<String> first = t.createQwen("");
    HttpResponse<String> second = t.createQwen("");

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(json(first).get("status").asInt()).isEqualTo(503);
    assertThat(second.statusCode()).isEqualTo(500);
    assertThat(t.standIn.createCount()).isZero();
  }

  @Test
  void predictionFailsEndsFailedWithTheError() throws Exception {
    t.standIn.inject(new Fault.PredictionFails("CUDA out of memory"));

    JsonNode p = json(t.createQwen("", "Prefer", "wait"));

    assertThat(p.get("status").asText()).isEqualTo("failed");
    assertThat(p.get("error").asText()).isEqualTo("CUDA out of memory");
    assertThat(p.get("output").isNull()).isTrue();
  }

  @Test
  void aRejectedCreateDoesNotUseUpAPredictionFault() throws Exception {
    t.standIn.inject(new Fault.PredictionCanceled());

    assertThat(t.createQwen("\"bogus\":1").statusCode()).isEqualTo(422);
    assertThat(json(t.createQwen("", "Prefer", "wait")).get("status").asText()).isEqualTo("canceled");
    assertThat(json(t.createQwen("", "Prefer", "wait")).get("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void cancelAfterShorterThanTheRunCancelsARunningPredictionAndAbortsAQueuedOne() throws Exception {
    t.standIn.setProcessingTime(Duration.ofSeconds(8));
    t.standIn.inject(new Fault.SlowPrediction(Duration.ofSeconds(8)));
    CompletableFuture<HttpResponse<String>> running =
        CompletableFuture.supplyAsync(() -> call(() -> t.createQwen("", "Cancel-After", "5s", "Prefer", "wait=30")));
    Thread.sleep(200); // keep the FIFO order of the two faults
    t.standIn.inject(new Fault.SlowStart(Duration.ofSeconds(8)));
    Instant before = Instant.now();
    HttpResponse<String> queued = t.createQwen("", "Cancel-After", "0m5s", "Prefer", "wait=30");

    JsonNode aborted = json(queued);
    JsonNode canceled = json(running.get());
    assertThat(canceled.get("status").asText()).isEqualTo("canceled");
    assertThat(canceled.has("started_at")).isTrue();
    assertThat(aborted.get("status").asText()).isEqualTo("aborted");
    assertThat(aborted.has("started_at")).isFalse();
    assertThat(Instant.parse(aborted.get("deadline").asText())).isBetween(before.plusSeconds(4), before.plusSeconds(6));
    assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(7));
  }

  @Test
  void theCancelEndpointCancelsARunningPredictionAndLeavesAFinishedOneAlone() throws Exception {
    t.standIn.setProcessingTime(Duration.ofSeconds(20));
    String id = json(t.createQwen("")).get("id").asText();

    HttpResponse<String> r = t.post("/v1/predictions/" + id + "/cancel", "");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("status").asText()).isEqualTo("canceled");
    assertThat(json(r).has("completed_at")).isTrue();
    assertThat(json(t.get("/v1/predictions/" + id)).get("status").asText()).isEqualTo("canceled");

    t.standIn.setProcessingTime(Duration.ZERO);
    String done = json(t.createQwen("", "Prefer", "wait")).get("id").asText();
    assertThat(json(t.post("/v1/predictions/" + done + "/cancel", "")).get("status").asText()).isEqualTo("succeeded");
    assertThat(t.post("/v1/predictions/nosuchid/cancel", "").statusCode()).isEqualTo(404);
  }

  @Test
  void outputNotAnImageServesHtml() throws Exception {
    t.standIn.inject(new Fault.OutputNotAnImage());

    JsonNode p = json(t.createQwen("", "Prefer", "wait"));
    HttpResponse<byte[]> file = t.download(p.get("output").get(0).asText());

    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(file.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(ReplicateTestSupport.decode(file.body())).isNull();
  }

  @Test
  void outputTooLargeStreamsAFileOfThatSize() throws Exception {
    long size = 30L * 1024 * 1024;
    t.standIn.inject(new Fault.OutputTooLarge(size));

    JsonNode p = json(t.createQwen("", "Prefer", "wait"));
    HttpResponse<java.io.InputStream> file = t.client.send(HttpRequest.newBuilder(
        java.net.URI.create(p.get("output").get(0).asText())).build(), HttpResponse.BodyHandlers.ofInputStream());

    assertThat(file.headers().firstValueAsLong("Content-Length")).hasValue(size);
    try (var body = file.body()) {
      assertThat(body.transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(size);
    }
  }

  @Test
  void createThenDropConnectionCreatesThePredictionButTheClientSeesAnIoError() throws Exception {
    t.standIn.inject(new Fault.CreateThenDropConnection());

    try (HttpClient fresh = HttpClient.newHttpClient()) {
      String body = "{\"input\":{\"image\":\"" + t.photoUrl("/room.jpg") + "\",\"prompt\":\"stage\",\"output_format\":\"jpg\"}}";
      HttpRequest request = HttpRequest.newBuilder(t.standIn.baseUrl().resolve("/v1/models/qwen/qwen-image-edit/predictions"))
          .header("Authorization", "Bearer " + ReplicateTestSupport.TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      assertThatThrownBy(() -> fresh.send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    assertThat(t.standIn.createCount()).isEqualTo(1);
    String id = t.standIn.predictions().getFirst().id();
    assertThat(t.pollUntilDone(id).get("status").asText()).isEqualTo("succeeded"); // it did run
  }

  @Test
  void getFailsAnswersTheStatusForTheNextGetsOfThatPrediction() throws Exception {
    t.standIn.inject(new Fault.GetFails(503, 2));
    String id = json(t.createQwen("")).get("id").asText();

    assertThat(t.get("/v1/predictions/" + id).statusCode()).isEqualTo(503);
    assertThat(t.get("/v1/predictions/" + id).statusCode()).isEqualTo(503);
    assertThat(t.get("/v1/predictions/" + id).statusCode()).isEqualTo(200);
    assertThat(t.get("/v1/predictions/nosuchid").statusCode()).isEqualTo(404);
  }

  @Test
  void anInputThatDoesNotDownloadFailsThePrediction() throws Exception {
    for (String path : new String[] {"/missing.jpg", "/redirect"}) { // redirects are not followed
      String body = "{\"input\":{\"image\":\"" + t.photoUrl(path) + "\",\"prompt\":\"stage\",\"output_format\":\"png\"}}";
      JsonNode p = json(t.post("/v1/models/qwen/qwen-image-edit/predictions", body, "Prefer", "wait"));

      assertThat(p.get("status").asText()).isEqualTo("failed");
      assertThat(p.get("error").asText()).startsWith("Failed to download image from URL");
    }
  }

  @Test
  void kontextFailsWhenSafetyToleranceIsAbove2WithAnInputImage() throws Exception {
    String body = "{\"input\":{\"prompt\":\"stage\",\"input_image\":\"" + t.photoUrl("/room.png") + "\",\"safety_tolerance\":4}}";
    JsonNode p = json(t.post("/v1/models/black-forest-labs/flux-kontext-max/predictions", body, "Prefer", "wait"));

    assertThat(p.get("status").asText()).isEqualTo("failed");
    assertThat(p.get("error").asText()).contains("safety_tolerance");
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> T call(Call<T> c) {
    try {
      return c.run();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
