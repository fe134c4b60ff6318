package ai.realstaging.local.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The input schemas of the models the stand-in runs, kept as data, and a validator that reports
 * problems the way Replicate's API does (gojsonschema-style {@code invalid_fields}).
 *
 * <p>Schemas follow the models' published API pages (see PLATFORM.md 1.22–1.28). One deliberate
 * difference: an input field the schema does not know is rejected with 422 here, so a misspelt
 * field name in our code fails a test instead of being silently ignored.
 */
final class ModelSchemas {

  enum Type { STRING, URI, INTEGER, BOOLEAN, URI_ARRAY }

  /** One input property. {@code min}/{@code max} bound integers, or the item count of arrays. */
  record Field(String name, Type type, Object dflt, Long min, Long max, List<String> choices) {}

  /**
   * A model: its fields, which are required, where the photo comes from, which field picks the
   * output format and quality, and whether the output is an array of URIs or a single URI.
   */
  record Model(String name, Map<String, Field> fields, Set<String> required, String imageField,
      String formatField, String qualityField, boolean arrayOutput) {

    /** The value the model will use: the given one, else the schema default (null if neither). */
    Object effective(JsonNode input, String field) {
      if (field == null) return null;
      JsonNode given = input.get(field);
      if (given != null && !given.isNull()) {
        return given.isNumber() ? (Object) given.asLong() : given.isBoolean() ? given.asBoolean() : given.asText();
      }
      Field spec = fields.get(field);
      return spec == null ? null : spec.dflt();
    }

    /** The URL of the photo to edit: the image field, or the first element when it is an array. */
    String imageUrl(JsonNode input) {
      JsonNode node = input.get(imageField);
      if (node != null && node.isArray()) node = node.size() > 0 ? node.get(0) : null;
      return node == null || node.isNull() ? null : node.asText();
    }
  }

  /** One entry of Replicate's {@code invalid_fields}. */
  record InvalidField(String type, String field, String description) {}

  private static final List<String> QWEN_RATIOS =
      List.of("match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3");
  private static final List<String> KONTEXT_RATIOS = List.of("match_input_image", "1:1", "16:9", "9:16",
      "4:3", "3:4", "3:2", "2:3", "4:5", "5:4", "21:9", "9:21", "2:1", "1:2");
  private static final List<String> SEEDREAM_RATIOS =
      List.of("match_input_image", "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9");

  private static final Map<String, Model> MODELS = new LinkedHashMap<>();

  static {
    add(new Model("qwen/qwen-image-edit", fields(
        f("image", Type.URI, null), f("prompt", Type.STRING, null), f("go_fast", Type.BOOLEAN, true),
        e("aspect_ratio", "match_input_image", QWEN_RATIOS), e("output_format", "webp", List.of("webp", "png", "jpg")),
        i("output_quality", 80L, 0L, 100L), i("seed", null, null, null),
        f("disable_safety_checker", Type.BOOLEAN, false)),
        Set.of("image", "prompt"), "image", "output_format", "output_quality", true));
    for (String name : List.of("black-forest-labs/flux-kontext-max", "black-forest-labs/flux-kontext-pro")) {
      add(new Model(name, fields(
          f("prompt", Type.STRING, null), f("input_image", Type.URI, null), e("aspect_ratio", "match_input_image",
              KONTEXT_RATIOS), i("seed", null, null, null), e("output_format", "png", List.of("jpg", "png")),
          i("safety_tolerance", 2L, 0L, 6L), f("prompt_upsampling", Type.BOOLEAN, false)),
          Set.of("prompt"), "input_image", "output_format", null, false));
    }
    add(new Model("bytedance/seedream-4", fields(
        f("prompt", Type.STRING, null), new Field("image_input", Type.URI_ARRAY, List.of(), 0L, 10L, null),
        e("size", "2K", List.of("1K", "2K", "4K", "custom")), e("aspect_ratio", "match_input_image", SEEDREAM_RATIOS),
        i("width", 2048L, 1024L, 4096L), i("height", 2048L, 1024L, 4096L),
        e("sequential_image_generation", "disabled", List.of("disabled", "auto")), i("max_images", 1L, 1L, 15L),
        f("enhance_prompt", Type.BOOLEAN, true)),
        Set.of("prompt"), "image_input", null, null, true));
    add(new Model("openai/gpt-image-1", fields(
        f("openai_api_key", Type.STRING, null), f("prompt", Type.STRING, null),
        new Field("input_images", Type.URI_ARRAY, null, null, null, null), e("input_fidelity", "low", List.of("low", "high")),
        e("aspect_ratio", "1:1", List.of("1:1", "3:2", "2:3")), i("number_of_images", 1L, 1L, 10L),
        e("quality", "auto", List.of("low", "medium", "high", "auto")),
        e("background", "auto", List.of("auto", "transparent", "opaque")),
        e("output_format", "webp", List.of("png", "jpeg", "webp")), i("output_compression", 90L, 0L, 100L),
        e("moderation", "auto", List.of("auto", "low")), f("user_id", Type.STRING, null)),
        Set.of("openai_api_key", "prompt"), "input_images", "output_format", "output_compression", true));
  }

  private ModelSchemas() {}

  static Model find(String name) {
    return MODELS.get(name);
  }

  static Set<String> names() {
    return MODELS.keySet();
  }

  /** Checks {@code input} against the model's schema; an empty list means it is valid. */
  static List<InvalidField> validate(Model model, JsonNode input) {
    List<InvalidField> problems = new ArrayList<>();
    if (input == null || !input.isObject()) {
      return List.of(new InvalidField("invalid_type", "input", "Invalid type. Expected: object, given: " + jsonType(input)));
    }
    for (String name : model.required()) {
      if (!input.has(name)) problems.add(new InvalidField("required", "input", name + " is required"));
    }
    for (Map.Entry<String, JsonNode> entry : input.properties()) {
      Field spec = model.fields().get(entry.getKey());
      if (spec != null) check(spec, "input." + spec.name(), entry.getValue(), problems);
      else problems.add(new InvalidField("additional_property_not_allowed", "input", "Additional property " + entry.getKey() + " is not allowed"));
    }
    return problems;
  }

  private static void check(Field spec, String path, JsonNode v, List<InvalidField> problems) {
    String expected = switch (spec.type()) {
      case STRING, URI -> "string";
      case BOOLEAN -> "boolean";
      case INTEGER -> "integer";
      case URI_ARRAY -> "array";
    };
    boolean whole = v.isNumber() && v.asDouble() == Math.rint(v.asDouble()); // JSON Schema counts 5.0 as an integer
    if (!expected.equals(jsonType(v)) && !(expected.equals("integer") && whole)) {
      problems.add(new InvalidField("invalid_type", path, "Invalid type. Expected: " + expected + ", given: " + jsonType(v)));
      return;
    }
    boolean array = spec.type() == Type.URI_ARRAY;
    long n = array ? v.size() : v.asLong();
    if (spec.min() != null && n < spec.min()) {
      problems.add(array ? new InvalidField("array_min_items", path, "Array must have at least " + spec.min() + " items")
          : new InvalidField("number_gte", path, "Must be greater than or equal to " + spec.min()));
    }
    if (spec.max() != null && n > spec.max()) {
      problems.add(array ? new InvalidField("array_max_items", path, "Array must have at most " + spec.max() + " items")
          : new InvalidField("number_lte", path, "Must be less than or equal to " + spec.max()));
    }
    if (spec.type() == Type.URI && !isUri(v.asText())) {
      problems.add(new InvalidField("format", path, "Does not match format 'uri'"));
    }
    for (int item = 0; array && item < v.size(); item++) {
      check(new Field(spec.name(), Type.URI, null, null, null, null), path + "." + item, v.get(item), problems);
    }
    if (spec.choices() != null && !spec.choices().contains(v.asText())) {
      problems.add(new InvalidField("enum", path, path + " must be one of the following: "
          + spec.choices().stream().map(c -> '"' + c + '"').collect(Collectors.joining(", "))));
    }
  }

  static String jsonType(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "null";
    if (v.isTextual()) return "string";
    if (v.isBoolean()) return "boolean";
    if (v.isIntegralNumber()) return "integer";
    if (v.isNumber()) return "number";
    return v.isArray() ? "array" : "object";
  }

  /** Replicate takes HTTP(S) URLs and data URIs for file inputs. */
  private static boolean isUri(String s) {
    if (s.startsWith("data:")) return s.indexOf(',') > 0;
    try {
      URI uri = new URI(s);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (Exception e) {
      return false;
    }
  }

  private static void add(Model m) {
    MODELS.put(m.name(), m);
  }

  private static Map<String, Field> fields(Field... fs) {
    Map<String, Field> map = new LinkedHashMap<>();
    Arrays.stream(fs).forEach(f -> map.put(f.name(), f));
    return map;
  }

  private static Field f(String name, Type type, Object dflt) {
    return new Field(name, type, dflt, null, null, null);
  }

  private static Field i(String name, Long dflt, Long min, Long max) {
    return new Field(name, Type.INTEGER, dflt, min, max, null);
  }

  private static Field e(String name, String dflt, List<String> choices) {
    return new Field(name, Type.STRING, dflt, null, null, choices);
  }
}
