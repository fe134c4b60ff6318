package ai.realstaging.local;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** PostgreSQL for the local stack: DATABASE_URL when given, otherwise an embedded server; migrated on start. */
final class LocalDatabase implements AutoCloseable {
    private final String url;
    private final EmbeddedPostgres embedded;

    private LocalDatabase(String url, EmbeddedPostgres embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    static LocalDatabase start(String databaseUrl) {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            LocalDatabase db = new LocalDatabase(databaseUrl, null);
            db.migrate();
            return db;
        }
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder().start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The embedded PostgreSQL could not start here (as root it needs user "
                    + "namespaces: " + e.getMessage() + "). Set DATABASE_URL to a PostgreSQL you have, for example "
                    + "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres", e);
        }
        LocalDatabase db = new LocalDatabase("postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres", pg);
        db.migrate();
        return db;
    }

    private void migrate() {
        try {
            Migrations.apply(DatabaseUrl.parse(url));
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot migrate the database at " + DatabaseUrl.parse(url) + ": "
                    + rootMessage(e), e);
        }
    }

    String url() {
        return url;
    }

    boolean embedded() {
        return embedded != null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ignored) {
                // the process is going away anyway
            }
        }
    }
}
