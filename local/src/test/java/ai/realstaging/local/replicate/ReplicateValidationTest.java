// unit: Replicate stand-in over loopback HTTP
package ai.realstaging.local.replicate;

import static ai.realstaging.local.replicate.ReplicateTestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicateValidationTest {

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
  void aWrongTokenIs401ProblemJson() throws Exception {
    HttpResponse<String> r = t.get("/v1/predictions", "Authorization", "Bearer nope");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = json(r);
    assertThat(p.get("title").asText()).isEqualTo("Unauthenticated");
    assertThat(p.get("detail").asText()).isEqualTo("You did not pass a valid authentication token");
    assertThat(p.get("status").asInt()).isEqualTo(401);
  }

  @Test
  void aMissingTokenIs401AndCreatesNothing() throws Exception {
    HttpResponse<String> r = t.createQwen("", "Authorization", "");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(t.standIn.createCount()).isZero();
  }

  @Test
  void anUnknownInputFieldIs422NamingTheField() throws Exception {
    HttpResponse<String> r = t.createQwen("\"num_outputs\":1");

    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode p = json(r);
    assertThat(p.get("title").asText()).isEqualTo("Input validation failed");
    assertThat(p.get("detail").asText()).contains("num_outputs");
    JsonNode field = p.get("invalid_fields").get(0);
    assertThat(field.get("type").asText()).isEqualTo("additional_property_not_allowed");
    assertThat(field.get("field").asText()).isEqualTo("input");
    assertThat(field.get("description").asText()).isEqualTo("Additional property num_outputs is not allowed");
    assertThat(t.standIn.createCount()).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"aspect_ratio\":\"5:7\"     | enum         | input.aspect_ratio",
      "\"output_quality\":101       | number_lte   | input.output_quality",
      "\"output_quality\":-1        | number_gte   | input.output_quality",
      "\"seed\":\"7\"               | invalid_type | input.seed",
      "\"go_fast\":\"yes\"          | invalid_type | input.go_fast",
      "\"seed\":1.5                 | invalid_type | input.seed"})
  void aBadValueIs422NamingTheField(String extra, String type, String field) throws Exception {
    HttpResponse<String> r = t.createQwen(extra);

    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode problem = json(r).get("invalid_fields").get(0);
    assertThat(problem.get("type").asText()).isEqualTo(type);
    assertThat(problem.get("field").asText()).isEqualTo(field);
    assertThat(json(r).get("detail").asText()).contains(field);
  }

  @Test
  void aMissingRequiredFieldIs422() throws Exception {
    HttpResponse<String> r = t.post("/v1/models/qwen/qwen-image-edit/predictions",
        "{\"input\":{\"prompt\":\"stage\",\"output_format\":\"png\"}}");

    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode field = json(r).get("invalid_fields").get(0);
    assertThat(field.get("type").asText()).isEqualTo("required");
    assertThat(field.get("description").asText()).isEqualTo("image is required");
  }

  @Test
  void tooManyReferenceImagesAndNonUriItemsAre422() throws Exception {
    String eleven = ("\"" + t.photoUrl("/room.jpg") + "\",").repeat(10) + "\"not a url\"";
    HttpResponse<String> r = t.post("/v1/models/bytedance/seedream-4/predictions",
        "{\"input\":{\"prompt\":\"stage\",\"image_input\":[" + eleven + "]}}");

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).get("invalid_fields").findValuesAsText("type")).containsExactly("array_max_items", "format");
    assertThat(json(r).get("invalid_fields").get(1).get("field").asText()).isEqualTo("input.image_input.10");
  }

  @Test
  void webpOutputAskedForOrByDefaultIsServedAsAWebpThatDecodes() throws Exception {
    String input = "\"image\":\"" + t.photoUrl("/room.jpg") + "\",\"prompt\":\"stage\"";
    for (String body : java.util.List.of("{\"input\":{" + input + ",\"output_format\":\"webp\"}}", "{\"input\":{" + input + "}}")) {
      HttpResponse<String> r = t.post("/v1/models/qwen/qwen-image-edit/predictions", body, "Prefer", "wait");
      assertThat(r.statusCode()).isEqualTo(201);
      JsonNode p = json(r);
      assertThat(p.get("status").asText()).as(p.toString()).isEqualTo("succeeded");
      HttpResponse<byte[]> file = t.download(p.get("output").get(0).asText());
      assertThat(file.headers().firstValue("Content-Type")).hasValue("image/webp");
      assertThat(ai.realstaging.common.staging.WebpLossless.decode(file.body()).getWidth()).isEqualTo(640);
    }
  }

  @Test
  void anUnknownModelIs404() throws Exception {
    HttpResponse<String> r = t.post("/v1/models/acme/nope/predictions", "{\"input\":{}}");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).get("status").asInt()).isEqualTo(404);
  }

  @Test
  void anUnknownTopLevelPropertyOrAMissingInputIs422() throws Exception {
    HttpResponse<String> r = t.post("/v1/models/qwen/qwen-image-edit/predictions", "{\"inptu\":{}}");

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).get("invalid_fields").findValuesAsText("description"))
        .containsExactlyInAnyOrder("Additional property inptu is not allowed", "input is required");
  }

  @Test
  void theVersionEndpointNeedsAVersionAndTheModelEndpointRefusesOne() throws Exception {
    HttpResponse<String> noVersion = t.post("/v1/predictions", "{\"input\":{\"prompt\":\"x\"}}");
    HttpResponse<String> extraVersion = t.post("/v1/models/bytedance/seedream-4/predictions",
        "{\"version\":\"bytedance/seedream-4\",\"input\":{\"prompt\":\"x\"}}");
    HttpResponse<String> bareHash = t.post("/v1/predictions", "{\"version\":\"" + "b".repeat(64) + "\",\"input\":{}}");

    assertThat(noVersion.statusCode()).isEqualTo(422);
    assertThat(json(noVersion).get("detail").asText()).contains("version is required");
    assertThat(extraVersion.statusCode()).isEqualTo(422);
    assertThat(bareHash.statusCode()).isEqualTo(422);
    assertThat(json(bareHash).get("title").asText()).isEqualTo("Invalid version or not permitted");
  }

  @ParameterizedTest
  @CsvSource({"Prefer, wait=0", "Prefer, wait=61", "Prefer, respond-async", "Cancel-After, 4s", "Cancel-After, soon"})
  void badPreferOrCancelAfterHeadersAre400(String header, String value) throws Exception {
    HttpResponse<String> r = t.createQwen("", header, value);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(t.standIn.createCount()).isZero();
  }

  @Test
  void aBodyThatIsNotJsonIs400() throws Exception {
    assertThat(t.post("/v1/predictions", "not json").statusCode()).isEqualTo(400);
  }
}
