package ai.realstaging.local.stripe;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Stripe's request encoding, as stripe-java writes it: form fields (or a query string) whose keys nest
 * with brackets ({@code line_items[0][price]}, {@code metadata[user_id]}, {@code expand[0]}), read into a
 * tree; list indexes become object keys "0", "1", ...
 */
final class FormBody {
    private FormBody() {}

    static ObjectNode parse(String encoded) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (encoded == null || encoded.isEmpty()) return root;
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            List<String> path = path(key);
            ObjectNode node = root;
            for (int i = 0; i < path.size() - 1; i++) {
                JsonNode child = node.get(path.get(i));
                if (!(child instanceof ObjectNode)) {
                    child = node.putObject(path.get(i));
                }
                node = (ObjectNode) child;
            }
            String last = path.getLast();
            node.put(last.isEmpty() ? String.valueOf(node.size()) : last, value);
        }
        return root;
    }

    private static List<String> path(String key) {
        List<String> parts = new ArrayList<>();
        int bracket = key.indexOf('[');
        if (bracket < 0) {
            parts.add(key);
            return parts;
        }
        parts.add(key.substring(0, bracket));
        int i = bracket;
        while (i < key.length() && key.charAt(i) == '[') {
            int close = key.indexOf(']', i);
            if (close < 0) break;
            parts.add(key.substring(i + 1, close));
            i = close + 1;
        }
        return parts;
    }

    /** The values of a list field ({@code expand[0]=a&expand[1]=b} or {@code expand[]=a}). */
    static List<String> list(JsonNode form, String field) {
        List<String> values = new ArrayList<>();
        JsonNode node = form.path(field);
        if (node.isTextual()) values.add(node.asText());
        node.forEach(v -> values.add(v.asText()));
        return values;
    }
}
