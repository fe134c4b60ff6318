package ai.realstaging.local.contract;

import ai.realstaging.common.http.PathTemplate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** openapi.yaml at the repository root, read as the tests need it: its operations, their responses and examples. */
public final class OpenApi {
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** Not the API's own mapper, which leaves out nulls: a null in the document (an example's, a const) is meant. */
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final JsonNode document;
    private final List<Operation> operations;

    private OpenApi(JsonNode document) {
        this.document = document;
        List<Operation> ops = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(entry -> {
            if (METHODS.contains(entry.getKey())) {
                ops.add(new Operation(entry.getKey().toUpperCase(Locale.ROOT), path.getKey(), entry.getValue()));
            }
        }));
        this.operations = List.copyOf(ops);
    }

    /** The repository's document (found from the working directory upwards, as the template is). */
    public static OpenApi load() {
        return load(repositoryRoot().resolve("openapi.yaml"));
    }

    /**
     * Read with SnakeYAML (YAML 1.1, anchors and aliases resolved, duplicate keys refused) and turned into
     * Jackson nodes; the document keeps every value a string or number as written, quoted where YAML would
     * read it otherwise.
     */
    public static OpenApi load(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object yaml = new Yaml(new SafeConstructor(options)).load(reader);
            return new OpenApi(PLAIN.valueToTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("openapi.yaml")) && Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no openapi.yaml beside a template.yaml in " + start + " or above");
    }

    public JsonNode document() {
        return document;
    }

    public List<Operation> operations() {
        return operations;
    }

    /**
     * The operation serving a concrete request path, as API Gateway picks a route: the template with the
     * fewest parameters among those that match.
     */
    public Optional<Operation> operation(String method, String rawPath) {
        return operations.stream()
                .filter(op -> op.method().equals(method) && PathTemplate.match(op.path(), rawPath) != null)
                .min(Comparator.comparingLong(op -> op.path().chars().filter(ch -> ch == '{').count()));
    }

    /** The node a local reference ("#/components/...") names. */
    public JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local references are used in openapi.yaml: " + ref);
        }
        JsonNode node = document.at(ref.substring(1));
        if (node.isMissingNode()) {
            throw new IllegalArgumentException("openapi.yaml has no " + ref);
        }
        return node;
    }

    /** A node and where it sits in the document, as JSON Pointer segments (unescaped). */
    public record Located(JsonNode node, List<String> pointer) {
        Located child(String name) {
            List<String> path = new ArrayList<>(pointer);
            path.add(name);
            return new Located(node.path(name), List.copyOf(path));
        }
    }

    /** Follows a $ref (one level per call, as many as there are) to the node it names. */
    Located dereference(Located located) {
        Located current = located;
        while (current.node().has("$ref")) {
            String ref = current.node().path("$ref").asText();
            List<String> pointer = new ArrayList<>();
            for (String segment : ref.substring(2).split("/")) {
                pointer.add(segment.replace("~1", "/").replace("~0", "~"));
            }
            current = new Located(resolve(ref), List.copyOf(pointer));
        }
        return current;
    }

    /** One operation: a method on a path template. */
    public final class Operation {
        private final String method;
        private final String path;
        private final JsonNode node;

        Operation(String method, String path, JsonNode node) {
            this.method = method;
            this.path = path;
            this.node = node;
        }

        public String method() {
            return method;
        }

        public String path() {
            return path;
        }

        public JsonNode node() {
            return node;
        }

        /** "METHOD /path", as template.yaml's routes are compared. */
        public String key() {
            return method + " " + path;
        }

        /** Needs a token: the operation's own security if it has one, else the document's. */
        public boolean authenticated() {
            JsonNode security = node.has("security") ? node.path("security") : document.path("security");
            for (JsonNode requirement : security) {
                if (requirement.isObject() && !requirement.isEmpty()) return true;
            }
            return false;
        }

        public boolean takesBody() {
            return node.has("requestBody");
        }

        /** The JSON request example, if the operation takes a body and gives one. */
        public Optional<JsonNode> requestExample() {
            JsonNode media = dereference(new Located(node.path("requestBody"), List.of()))
                    .node().path("content").path("application/json");
            if (media.has("example")) return Optional.of(media.path("example"));
            Iterator<JsonNode> examples = media.path("examples").elements();
            return examples.hasNext() ? Optional.of(dereference(new Located(examples.next(), List.of())).node()
                    .path("value")) : Optional.empty();
        }

        /** Documented status codes, as written ("200", "404"). */
        public Set<String> statuses() {
            return Set.copyOf(iterable(node.path("responses").fieldNames()));
        }

        /** The documented response for a status, with its location in the document. */
        public Optional<Located> response(int status) {
            String code = String.valueOf(status);
            if (!node.path("responses").has(code)) return Optional.empty();
            return Optional.of(dereference(new Located(node.path("responses").path(code),
                    List.of("paths", path, method.toLowerCase(Locale.ROOT), "responses", code))));
        }

        /** Path parameter names in template order, e.g. ["id"]. */
        public List<String> pathParameters() {
            List<String> names = new ArrayList<>();
            for (String segment : path.split("/")) {
                if (segment.startsWith("{") && segment.endsWith("}")) names.add(segment.substring(1, segment.length() - 1));
            }
            return names;
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** Every example under a content or parameter in the document, with where it sits and the schema it must meet. */
    public List<Example> examples() {
        List<Example> found = new ArrayList<>();
        collectExamples(new Located(document, List.of()), found);
        return found;
    }

    /** An example value and the location of the schema it is an example of. */
    public record Example(String where, JsonNode value, List<String> schemaPointer) {}

    private void collectExamples(Located at, List<Example> found) {
        JsonNode node = at.node();
        if (node.isObject()) {
            if (node.has("schema") && (node.has("example") || node.has("examples")) && !isSchemaKeyword(at)) {
                List<String> schema = at.child("schema").pointer();
                if (node.has("example")) {
                    found.add(new Example(pointer(at.pointer()) + "/example", node.path("example"), schema));
                }
                node.path("examples").properties().forEach(e -> found.add(new Example(
                        pointer(at.pointer()) + "/examples/" + e.getKey(),
                        dereference(new Located(e.getValue(), List.of())).node().path("value"), schema)));
            }
            node.properties().forEach(e -> collectExamples(at.child(e.getKey()), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                List<String> path = new ArrayList<>(at.pointer());
                path.add(String.valueOf(i));
                collectExamples(new Located(node.get(i), path), found);
            }
        }
    }

    /** Inside a schema, "example" is JSON Schema's keyword, not a media type's example. */
    private static boolean isSchemaKeyword(Located at) {
        return at.pointer().contains("schemas") || at.pointer().contains("schema");
    }

    static String pointer(List<String> segments) {
        StringBuilder out = new StringBuilder();
        for (String s : segments) out.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        return out.toString();
    }

    /** A copy of the document as one JSON text, the form the schema validator reads. */
    String json() {
        try {
            return PLAIN.writeValueAsString(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Parameter names to values, e.g. for building a concrete path. */
    public static String expand(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
        return out;
    }
}
