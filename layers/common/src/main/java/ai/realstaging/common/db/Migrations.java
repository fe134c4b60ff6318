package ai.realstaging.common.db;

import org.flywaydb.core.Flyway;

/** Applies the numbered SQL migrations in db/migration (never edited once landed). */
public final class Migrations {
    private Migrations() {}

    public static int apply(DatabaseUrl url) {
        return Flyway.configure()
                .dataSource(url.jdbcUrl(), url.user(), url.password())
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
