// unit: Replicate stand-in over loopback HTTP
package ai.realstaging.local.replicate;

import static ai.realstaging.local.replicate.ReplicateTestSupport.decode;
import static ai.realstaging.local.replicate.ReplicateTestSupport.json;
import static ai.realstaging.local.replicate.ReplicateTestSupport.meanAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicateStandInTest {

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
  void qwenWithPreferWaitSucceedsWithAnArrayOfOneVisiblyChangedJpeg() throws Exception {
    HttpResponse<String> r = t.createQwen("\"seed\":7", "Prefer", "wait");

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode p = json(r);
    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(p.get("id").asText()).matches("[a-z2-7]{26}");
    assertThat(p.get("model").asText()).isEqualTo("qwen/qwen-image-edit");
    assertThat(p.get("version").asText()).isEqualTo("hidden");
    assertThat(p.get("input").get("seed").asInt()).isEqualTo(7);
    assertThat(p.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    assertThat(Instant.parse(p.get("completed_at").asText())).isAfterOrEqualTo(Instant.parse(p.get("started_at").asText()));
    assertThat(p.get("metrics").get("predict_time").asDouble()).isGreaterThan(0.2);
    assertThat(p.get("metrics").get("total_time").asDouble()).isGreaterThanOrEqualTo(p.get("metrics").get("predict_time").asDouble());
    assertThat(p.get("logs").asText()).contains("Using seed: 7");
    assertThat(p.get("urls").get("get").asText()).isEqualTo(t.standIn.baseUrl() + "/v1/predictions/" + p.get("id").asText());
    assertThat(r.headers().firstValue("Location")).hasValue(p.get("urls").get("get").asText());
    assertThat(p.get("output").isArray()).isTrue();
    assertThat(p.get("output")).hasSize(1);

    String url = p.get("output").get(0).asText();
    assertThat(url).endsWith("/out-0.jpg");
    HttpResponse<byte[]> file = t.download(url);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    assertThat(file.headers().firstValueAsLong("Content-Length")).hasValue(file.body().length);
    BufferedImage out = decode(file.body());
    BufferedImage in = decode(t.files.get("/room.jpg"));
    assertThat(out.getWidth()).isEqualTo(640);
    assertThat(out.getHeight()).isEqualTo(480);
    assertThat(meanAbsDiff(in, out)).isGreaterThan(15.0);
  }

  @Test
  void fluxKontextAnswersOneUriStringAndKeepsThePngSize() throws Exception {
    String body = "{\"input\":{\"prompt\":\"stage it\",\"input_image\":\"" + t.photoUrl("/room.png") + "\",\"seed\":3}}";
    HttpResponse<String> r = t.post("/v1/models/black-forest-labs/flux-kontext-max/predictions", body, "Prefer", "wait=30");

    JsonNode p = json(r);
    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(p.get("output").isTextual()).isTrue();
    HttpResponse<byte[]> file = t.download(p.get("output").asText());
    assertThat(file.headers().firstValue("Content-Type")).hasValue("image/png"); // the schema's default format
    BufferedImage out = decode(file.body());
    assertThat(out.getWidth()).isEqualTo(400);
    assertThat(out.getHeight()).isEqualTo(300);
    assertThat(meanAbsDiff(decode(t.files.get("/room.png")), out)).isGreaterThan(15.0);
  }

  @Test
  void withoutPreferTheCreateAnswersStartingAndPollingReachesSucceeded() throws Exception {
    HttpResponse<String> r = t.createQwen("");

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode p = json(r);
    assertThat(p.get("status").asText()).isEqualTo("starting");
    assertThat(p.get("output").isNull()).isTrue();
    assertThat(p.get("error").isNull()).isTrue();
    assertThat(p.has("started_at")).isFalse();
    assertThat(p.has("metrics")).isFalse();
    JsonNode done = t.pollUntilDone(p.get("id").asText());
    assertThat(done.get("status").asText()).isEqualTo("succeeded");
    assertThat(done.get("output").get(0).asText()).startsWith(t.standIn.baseUrl() + "/files/");
  }

  @Test
  void versionedEndpointTakesOwnerNameAndOwnerNameColonHash() throws Exception {
    String hash = "a".repeat(64);
    String input = "\"input\":{\"prompt\":\"stage\",\"input_image\":\"" + t.photoUrl("/room.png") + "\",\"output_format\":\"jpg\"}";
    JsonNode plain = json(t.post("/v1/predictions",
        "{\"version\":\"black-forest-labs/flux-kontext-pro\"," + input + "}", "Prefer", "wait"));
    JsonNode pinned = json(t.post("/v1/predictions",
        "{\"version\":\"black-forest-labs/flux-kontext-pro:" + hash + "\"," + input + "}", "Prefer", "wait"));

    assertThat(plain.get("version").asText()).isEqualTo("hidden");
    assertThat(pinned.get("version").asText()).isEqualTo(hash);
    assertThat(pinned.get("model").asText()).isEqualTo("black-forest-labs/flux-kontext-pro");
    assertThat(pinned.get("output").asText()).endsWith(".jpg");
    assertThat(t.standIn.createCount()).isEqualTo(2);
  }

  @Test
  void tokenSchemeIsAcceptedToo() throws Exception {
    HttpResponse<String> r = t.get("/v1/predictions", "Authorization", "Token " + ReplicateTestSupport.TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void listAnswersNewestFirst() throws Exception {
    String first = json(t.createQwen("")).get("id").asText();
    String second = json(t.createQwen("")).get("id").asText();
    String third = json(t.createQwen("")).get("id").asText();

    JsonNode page = json(t.get("/v1/predictions"));
    assertThat(page.get("next").isNull()).isTrue();
    assertThat(page.get("previous").isNull()).isTrue();
    assertThat(page.get("results").findValuesAsText("id")).containsExactly(third, second, first);
    assertThat(t.standIn.predictions()).extracting(Prediction::id).containsExactly(first, second, third);
    assertThat(t.standIn.predictions().getFirst().input()).containsEntry("prompt", "stage this living room");
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
    byte[] a = outputBytes(t.createQwen("\"seed\":42", "Prefer", "wait"));
    byte[] b = outputBytes(t.createQwen("\"seed\":42", "Prefer", "wait"));
    byte[] c = outputBytes(t.createQwen("\"seed\":43", "Prefer", "wait"));

    assertThat(a).isEqualTo(b);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void gptImageHonoursNumberOfImagesAndItsSquareDefaultAspectRatio() throws Exception {
    String body = "{\"input\":{\"openai_api_key\":\"sk-test\",\"prompt\":\"stage\",\"input_images\":[\""
        + t.photoUrl("/room.jpg") + "\"],\"number_of_images\":2,\"output_format\":\"jpeg\"}}";
    JsonNode p = json(t.post("/v1/models/openai/gpt-image-1/predictions", body, "Prefer", "wait"));

    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(p.get("output")).hasSize(2);
    assertThat(p.get("output").get(1).asText()).endsWith("/out-1.jpg");
    BufferedImage out = decode(t.download(p.get("output").get(1).asText()).body());
    assertThat(out.getWidth()).isEqualTo(out.getHeight()).isEqualTo(554); // 640x480's area at 1:1
  }

  @Test
  void seedreamWritesJpegAndHonoursCustomSize() throws Exception {
    String body = "{\"input\":{\"prompt\":\"stage\",\"image_input\":[\"" + t.photoUrl("/room.png")
        + "\"],\"size\":\"custom\",\"width\":1024,\"height\":1536}}";
    JsonNode p = json(t.post("/v1/models/bytedance/seedream-4/predictions", body, "Prefer", "wait"));

    HttpResponse<byte[]> file = t.download(p.get("output").get(0).asText());
    assertThat(file.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    BufferedImage out = decode(file.body());
    assertThat(out.getWidth()).isEqualTo(1024);
    assertThat(out.getHeight()).isEqualTo(1536);
  }

  @Test
  void webpInputIsStagedOnANeutralCanvasOfTheHeaderSize() throws Exception {
    t.files.put("/room.webp", ReplicateStagingPainterTest.vp8xHeader(800, 600));
    String body = "{\"input\":{\"prompt\":\"stage\",\"input_image\":\"" + t.photoUrl("/room.webp") + "\"}}";
    JsonNode p = json(t.post("/v1/models/black-forest-labs/flux-kontext-pro/predictions", body, "Prefer", "wait"));

    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(p.get("logs").asText()).contains("WebP");
    BufferedImage out = decode(t.download(p.get("output").asText()).body());
    assertThat(out.getWidth()).isEqualTo(800);
    assertThat(out.getHeight()).isEqualTo(600);
  }

  @Test
  void dataUriInputsWork() throws Exception {
    String data = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(t.files.get("/room.png"));
    String body = "{\"input\":{\"prompt\":\"stage\",\"input_image\":\"" + data + "\"}}";
    JsonNode p = json(t.post("/v1/models/black-forest-labs/flux-kontext-pro/predictions", body, "Prefer", "wait"));
    assertThat(p.get("status").asText()).isEqualTo("succeeded");
    assertThat(decode(t.download(p.get("output").asText()).body()).getWidth()).isEqualTo(400);
  }

  @Test
  void itsPlatformThreadsAreDaemonsSoItNeverKeepsAJvmAlive() {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (ReplicateStandIn another = ReplicateStandIn.start("127.0.0.1", 0, "x")) {
      Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
      started.removeAll(before);
      assertThat(started).extracting(Thread::getName).contains("HTTP-Dispatcher");
      assertThat(started).allMatch(Thread::isDaemon);
    }
  }

  private byte[] outputBytes(HttpResponse<String> created) throws Exception {
    return t.download(json(created).get("output").get(0).asText()).body();
  }
}
