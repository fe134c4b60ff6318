package ai.realstaging.common.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Applies the numbered SQL migrations in db/migration (never edited once landed). */
public final class Migrations {
    private Migrations() {}

    public static int apply(DatabaseUrl url) {
        return apply(ConnectionFactory.plain(url));
    }

    /** Through a connection factory, so RDS IAM tokens work for migrations as for functions. */
    public static int apply(ConnectionFactory connections) {
        return Flyway.configure()
                .dataSource(new FactoryDataSource(connections))
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** The little of DataSource that Flyway uses: a new connection on request. */
    private record FactoryDataSource(ConnectionFactory factory) implements DataSource {
        @Override public Connection getConnection() throws SQLException { return factory.open(); }
        @Override public Connection getConnection(String user, String password) throws SQLException { return factory.open(); }
        @Override public PrintWriter getLogWriter() { return null; }
        @Override public void setLogWriter(PrintWriter out) { }
        @Override public void setLoginTimeout(int seconds) { }
        @Override public int getLoginTimeout() { return 0; }
        @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
        @Override public <T> T unwrap(Class<T> type) throws SQLException { throw new SQLException("not a wrapper"); }
        @Override public boolean isWrapperFor(Class<?> type) { return false; }
    }
}
