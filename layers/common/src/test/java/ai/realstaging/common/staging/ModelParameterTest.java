// unit: a model parameter's checks of an admin's value, without a database
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import org.junit.jupiter.api.Test;

class ModelParameterTest {
    private final ModelParameter quality = ModelParameter.integer("output_quality", 90, 0, 100);
    private final ModelParameter format = ModelParameter.choice("output_format", "jpg", "webp", "png", "jpg");
    private final ModelParameter fast = ModelParameter.flag("go_fast", true);
    private final ModelParameter key = ModelParameter.secret("openai_api_key");

    @Test
    void integersMustBeWholeAndWithinBounds() {
        assertThat(quality.problem(Json.read("80"))).isNull();
        assertThat(quality.read(Json.read("80"))).isEqualTo(80L);
        assertThat(quality.problem(Json.read("101"))).isEqualTo("must be from 0 to 100");
        assertThat(quality.problem(Json.read("-1"))).isEqualTo("must be from 0 to 100");
        assertThat(quality.problem(Json.read("80.5"))).contains("whole number");
        assertThat(quality.problem(Json.read("\"80\""))).contains("whole number");
        assertThat(quality.problem(Json.read("1e30"))).contains("whole number");
    }

    @Test
    void choicesMustBeOneOfTheAllowedValues() {
        assertThat(format.problem(Json.read("\"png\""))).isNull();
        assertThat(format.problem(Json.read("\"gif\""))).isEqualTo("must be one of webp, png, jpg");
        assertThat(format.problem(Json.read("1"))).isEqualTo("must be one of webp, png, jpg");
    }

    @Test
    void flagsMustBeBooleans() {
        assertThat(fast.problem(Json.read("false"))).isNull();
        assertThat(fast.read(Json.read("false"))).isEqualTo(false);
        assertThat(fast.problem(Json.read("\"false\""))).isEqualTo("must be true or false");
    }

    @Test
    void secretsAreKeyShapedTextAndTheMessageNeverRepeatsTheValue() {
        assertThat(key.secret()).isTrue();
        assertThat(key.problem(Json.read("\"sk-proj-abcdefghijklmnopqrstuvwxyz\""))).isNull();
        assertThat(key.problem(Json.read("\"sk-short\""))).isEqualTo("must be 20 to 500 characters");
        assertThat(key.problem(Json.read("\"sk-abcdefghij klmnopqrstuvwxyz\""))).isEqualTo("must not contain spaces")
                .doesNotContain("sk-abc");
        assertThat(key.problem(Json.read("12345678901234567890123"))).isEqualTo("must be text");
    }
}
