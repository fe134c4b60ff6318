package ai.realstaging.common.auth;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling, from the claims API Gateway's JWT authorizer verified (in AWS) or the local
 * gateway verified the same way. Never from a header a client could set.
 */
public record Identity(String subject, String email, Set<String> roles) {

    public static final String DEFAULT_ROLES_CLAIM = "https://realstaging.ai/roles";

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    /**
     * HTTP API hands claims over as strings; an array claim arrives as {@code [a b]} or as JSON text,
     * so both are read.
     */
    public static Identity fromClaims(Map<String, String> claims, String rolesClaim) {
        String sub = claims == null ? null : claims.get("sub");
        if (sub == null || sub.isBlank()) {
            return null;
        }
        return new Identity(sub, claims.get("email"), parseRoles(claims.get(rolesClaim)));
    }

    static Set<String> parseRoles(String raw) {
        if (raw == null || raw.isBlank()) {
            return Set.of();
        }
        String trimmed = raw.trim();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        return Arrays.stream(trimmed.split("[,\\s]+"))
                .map(s -> s.replace("\"", "").trim())
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
