package ai.realstaging.common.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** API Gateway's path templates ({@code /v1/projects/{id}}): matching a raw path and reading its parameters. */
public final class PathTemplate {
    private PathTemplate() {}

    /**
     * The parameters of {@code rawPath} under {@code template}, percent-decoded as API Gateway hands
     * them to a function ('+' stays a plus in a path), or null when the path does not match.
     */
    public static Map<String, String> match(String template, String rawPath) {
        String[] expected = segments(template);
        String[] actual = segments(rawPath);
        if (expected.length != actual.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < expected.length; i++) {
            String t = expected[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                params.put(t.substring(1, t.length() - 1),
                        URLDecoder.decode(actual[i].replace("+", "%2B"), StandardCharsets.UTF_8));
            } else if (!t.equals(actual[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] segments(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) return new String[0];
        return (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
    }
}
