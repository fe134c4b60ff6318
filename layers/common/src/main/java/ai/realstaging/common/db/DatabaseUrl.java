package ai.realstaging.common.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A PostgreSQL address as a JDBC URL plus credentials, from the usual URI form
 * ({@code postgresql://user:pass@host:port/db?opts}) or a {@code jdbc:postgresql:} URL.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is empty");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(trimmed, null, null);
        }
        if (!trimmed.startsWith("postgresql://") && !trimmed.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    "DATABASE_URL must look like postgresql://user:pass@host:port/db or jdbc:postgresql://host/db");
        }
        URI uri = URI.create(trimmed);
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1
                ? "postgres" : decode(uri.getRawPath().substring(1));
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new DatabaseUrl("jdbc:postgresql://" + host + ":" + port + "/" + database + query, user, password);
    }

    /** The same server, another database: tests make a fresh one per run. */
    public DatabaseUrl withDatabase(String database) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?');
        String base = slash < 0 ? jdbcUrl : jdbcUrl.substring(0, slash);
        String rest = query < 0 ? "" : jdbcUrl.substring(query);
        return new DatabaseUrl(base + "/" + database + rest, user, password);
    }

    public Properties properties() {
        Properties props = new Properties();
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        // RDS Proxy pins a session on server-side prepared statements; never switch to them.
        props.setProperty("prepareThreshold", "0");
        props.setProperty("ApplicationName", "realstaging");
        return props;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return jdbcUrl + (user == null ? "" : " as " + user);
    }
}
