package ai.realstaging.common.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One PostgreSQL connection per Lambda environment: opened on first use (never during INIT),
 * re-validated after idling, replaced when broken. RDS Proxy does the pooling.
 */
public final class Database {
    private static final long REVALIDATE_AFTER_NANOS = 5_000_000_000L;

    private final ConnectionFactory factory;
    private Connection connection;
    private long lastUsedNanos;

    public Database(ConnectionFactory factory) {
        this.factory = factory;
    }

    /** Work that needs a connection; may throw SQLException. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs the work in one transaction: committed when it returns, rolled back when it throws. */
    public synchronized <T> T transaction(Work<T> work) {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw new DatabaseException(e);
        } catch (RuntimeException | Error e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            lastUsedNanos = System.nanoTime();
        }
    }

    /** Runs the work in autocommit mode: for single statements that need no transaction. */
    public synchronized <T> T read(Work<T> work) {
        Connection c = connection();
        try {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException(e);
        } finally {
            lastUsedNanos = System.nanoTime();
        }
    }

    /** True when the database answers; used by the health check. */
    public synchronized boolean ping() {
        try {
            return read(c -> c.isValid(2));
        } catch (DatabaseException e) {
            return false;
        }
    }

    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a dead connection has nothing left to report
            }
            connection = null;
        }
    }

    private Connection connection() {
        try {
            if (connection != null && System.nanoTime() - lastUsedNanos > REVALIDATE_AFTER_NANOS
                    && !connection.isValid(2)) {
                close();
            }
            if (connection == null || connection.isClosed()) {
                connection = factory.open();
            }
            return connection;
        } catch (SQLException e) {
            close();
            throw new DatabaseException(e);
        }
    }

    private void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is likely gone; drop it so the next call opens a fresh one
            close();
        }
    }
}
