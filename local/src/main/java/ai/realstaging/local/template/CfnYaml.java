package ai.realstaging.local.template;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Parses CloudFormation YAML, turning short-form tags (!Ref, !GetAtt, !Sub, ...) into their long-form maps. */
final class CfnYaml {

    /** Short tag → long-form key. !Ref, !Condition and !GetAtt need more than a rename and are handled apart. */
    private static final Map<String, String> FUNCTIONS = Map.ofEntries(
            Map.entry("!Sub", "Fn::Sub"),
            Map.entry("!Join", "Fn::Join"),
            Map.entry("!Select", "Fn::Select"),
            Map.entry("!Split", "Fn::Split"),
            Map.entry("!If", "Fn::If"),
            Map.entry("!Equals", "Fn::Equals"),
            Map.entry("!Not", "Fn::Not"),
            Map.entry("!And", "Fn::And"),
            Map.entry("!Or", "Fn::Or"),
            Map.entry("!FindInMap", "Fn::FindInMap"),
            Map.entry("!ImportValue", "Fn::ImportValue"),
            Map.entry("!Base64", "Fn::Base64"),
            Map.entry("!Cidr", "Fn::Cidr"),
            Map.entry("!GetAZs", "Fn::GetAZs"));

    private CfnYaml() {
    }

    /** The document as nested unmodifiable maps and lists (insertion order kept), scalars as SnakeYAML types them. */
    static Map<String, Object> load(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // CloudFormation rejects them too
        Yaml yaml = new Yaml(new Constructor(options));
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object document = yaml.load(reader);
            if (!(document instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(file + " is not a YAML mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> frozen = (Map<String, Object>) freeze(document);
            return frozen;
        }
    }

    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    private static final class Constructor extends SafeConstructor {

        Constructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            yamlConstructors.put(new Tag("!GetAtt"), new GetAtt());
            FUNCTIONS.forEach((tag, key) -> yamlConstructors.put(new Tag(tag), new Intrinsic(key)));
        }

        /** The tagged node's value built as if it had no tag: a string, a list or a map. */
        Object untagged(Node node) {
            return switch (node) {
                case ScalarNode scalar -> constructScalar(scalar);
                case SequenceNode sequence -> constructSequence(sequence);
                case MappingNode mapping -> constructMapping(mapping);
                default -> throw new IllegalArgumentException("unexpected YAML node " + node.getNodeId());
            };
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                return Map.of(key, untagged(node));
            }
        }

        /** "!GetAtt A.B" → ["A", "B"]; only the first dot splits, attributes such as Endpoint.Address keep theirs. */
        private final class GetAtt extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                Object value = untagged(node);
                if (value instanceof String dotted) {
                    int dot = dotted.indexOf('.');
                    if (dot < 1) {
                        throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got '" + dotted + "'");
                    }
                    value = List.of(dotted.substring(0, dot), dotted.substring(dot + 1));
                }
                return Map.of("Fn::GetAtt", value);
            }
        }
    }
}
