package ai.realstaging.local.contract;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What must never reach a client in an error response (PRODUCT.md §3): stack traces, Java class and
 * package names, SQL and database errors, and the raw text of the libraries and vendors we call.
 */
public final class ResponseLeaks {
    private record Rule(String what, Pattern pattern) {}

    private static final List<Rule> RULES = List.of(
            new Rule("an exception name", Pattern.compile("exception", Pattern.CASE_INSENSITIVE)),
            new Rule("a stack frame", Pattern.compile("\\bat [\\w$]+(\\.[\\w$]+)+\\(|\\.java:\\d+\\)|\\(Native Method\\)")),
            new Rule("a Java package", Pattern.compile("\\b(java|javax|jdk|sun|com\\.fasterxml|com\\.auth0|com\\.networknt"
                    + "|org\\.postgresql|org\\.flywaydb|org\\.slf4j|org\\.apache|software\\.amazon|com\\.amazonaws"
                    + "|ai\\.realstaging)\\.[a-z]")),
            new Rule("SQL", Pattern.compile("\\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|SQLSTATE|SQL|PSQL\\w*|JDBC)\\b")),
            new Rule("a PostgreSQL error", Pattern.compile("\\b(ERROR|FATAL|PANIC): ")),
            new Rule("a PostgreSQL message", Pattern.compile("syntax error at or near|duplicate key value"
                    + "|violates (foreign key|unique|check|not-null) constraint|relation \"|column \"|HikariPool",
                    Pattern.CASE_INSENSITIVE)),
            new Rule("a JSON parser's message", Pattern.compile("Unrecognized token|Unexpected character|Unexpected end-of-input"
                    + "|\\[Source: |line: \\d+, column: \\d+", Pattern.CASE_INSENSITIVE)),
            new Rule("a JWT library's message", Pattern.compile("The Token|The Claim|\\bJW[TKS]\\b|signature verification",
                    Pattern.CASE_INSENSITIVE)),
            new Rule("an AWS SDK message", Pattern.compile("\\(Service: |Status Code: \\d+|AWS Error|Request ID: |amazonaws\\.com",
                    Pattern.CASE_INSENSITIVE)),
            new Rule("a vendor's name", Pattern.compile("replicate|stripe|auth0", Pattern.CASE_INSENSITIVE)));

    private ResponseLeaks() {}

    /** What the body gives away, one line per rule it breaks with the text that broke it; empty when clean. */
    public static List<String> in(String body) {
        if (body == null || body.isEmpty()) return List.of();
        return RULES.stream().flatMap(rule -> rule.pattern().matcher(body).results()
                .findFirst().map(m -> rule.what() + ": '" + m.group() + "'").stream()).toList();
    }
}
