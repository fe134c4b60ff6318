package ai.realstaging.common.db;

import java.sql.SQLException;

/** The database failed or could not be reached; maps to 503 and never shows its text to a client. */
public final class DatabaseException extends RuntimeException {
    public DatabaseException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public String sqlState() {
        return getCause() instanceof SQLException e ? e.getSQLState() : null;
    }
}
