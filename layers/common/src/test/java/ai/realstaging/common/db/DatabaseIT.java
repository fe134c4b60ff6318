// integration: real PostgreSQL (DATABASE_URL or embedded); one lazily opened connection per environment
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.testing.TestDatabase;
import java.net.ServerSocket;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DatabaseIT {
    private final TestDatabase db = TestDatabase.shared();

    @Test
    void noConnectionIsOpenedUntilTheFirstQuery() {
        AtomicInteger opened = new AtomicInteger();
        ConnectionFactory real = ConnectionFactory.plain(db.url());
        Database database = new Database(() -> {
            opened.incrementAndGet();
            return real.open();
        });
        assertThat(opened).hasValue(0);

        database.read(c -> c.isValid(1));
        database.read(c -> c.isValid(1));

        assertThat(opened).hasValue(1);
        database.close();
    }

    @Test
    void aTransactionIsCommittedWhenTheWorkReturns() {
        Database database = db.newDatabase();
        TestDatabase.TestUser user = db.createUser();

        database.transaction(c -> ProjectRepository.insert(c, UUID.randomUUID(), user.id(), "Committed"));

        assertThat(db.queryLong("SELECT count(*) FROM projects WHERE user_id = ?", user.id())).isEqualTo(1);
        database.close();
    }

    @Test
    void aTransactionIsRolledBackWhenTheWorkThrows() {
        Database database = db.newDatabase();
        TestDatabase.TestUser user = db.createUser();

        assertThatThrownBy(() -> database.transaction(c -> {
            ProjectRepository.insert(c, UUID.randomUUID(), user.id(), "Rolled back");
            throw new IllegalStateException("business rule failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(db.queryLong("SELECT count(*) FROM projects WHERE user_id = ?", user.id())).isZero();
        // and the connection is usable again, not stuck in an aborted transaction
        assertThat(database.<Boolean>read(c -> c.isValid(1))).isTrue();
        database.close();
    }

    @Test
    void anSqlErrorBecomesADatabaseExceptionWithItsSqlState() {
        Database database = db.newDatabase();

        assertThatThrownBy(() -> database.transaction(c -> Sql.update(c, "INSERT INTO no_such_table VALUES (1)")))
                .isInstanceOfSatisfying(DatabaseException.class, e -> assertThat(e.sqlState()).isEqualTo("42P01"));

        assertThat(database.<java.util.Optional<Integer>>transaction(c -> Sql.one(c, "SELECT 1 AS one", rs -> rs.getInt("one")))).contains(1);
        database.close();
    }

    @Test
    void aConnectionKilledByTheServerIsReplaced() {
        Database database = db.newDatabase();
        int pid = database.read(c -> Sql.one(c, "SELECT pg_backend_pid() AS pid", rs -> rs.getInt("pid")).orElseThrow());

        db.withConnection(c -> Sql.one(c, "SELECT pg_terminate_backend(?) AS ok", rs -> rs.getBoolean("ok"), pid));

        // The request that finds the dead connection may fail as "database unavailable"; the next one works.
        try {
            database.transaction(c -> Sql.one(c, "SELECT 1 AS one", rs -> rs.getInt("one")));
        } catch (DatabaseException expected) {
            // 503 for that one request
        }
        int newPid = database.read(c -> Sql.one(c, "SELECT pg_backend_pid() AS pid", rs -> rs.getInt("pid")).orElseThrow());
        assertThat(newPid).isNotEqualTo(pid);
        database.close();
    }

    @Test
    void pingAnswersWhetherTheDatabaseIsUp() throws Exception {
        Database up = db.newDatabase();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Database down = new Database(ConnectionFactory.plain(
                DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + closedPort + "/nothing")));

        assertThat(up.ping()).isTrue();
        assertThat(down.ping()).isFalse();
        assertThatThrownBy(() -> down.read(c -> 1)).isInstanceOf(DatabaseException.class);
        up.close();
    }
}
