// integration: real PostgreSQL (DATABASE_URL or embedded); users created on first sight, race-free
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.Concurrently;
import ai.realstaging.common.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UserRepositoryIT {
    private final TestDatabase db = TestDatabase.shared();

    @Test
    void twentyParallelFirstRequestsOfOneSubjectGetOneUser() {
        String sub = "auth0|race-" + UUID.randomUUID();

        List<Concurrently.Outcome<UUID>> outcomes = Concurrently.run(20, i -> {
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                UUID id = UserRepository.resolve(c, sub, "racer@example.com");
                c.commit();
                return id;
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
        assertThat(outcomes.stream().map(Concurrently.Outcome::value).distinct()).hasSize(1);
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE auth_sub = ?", sub)).isEqualTo(1);
        assertThat(db.queryString("SELECT id::text FROM users WHERE auth_sub = ?", sub))
                .isEqualTo(outcomes.getFirst().value().toString());
    }

    @Test
    void aKnownSubjectKeepsItsIdAndFirstEmail() {
        String sub = "auth0|known-" + UUID.randomUUID();

        UUID first = db.withConnection(c -> UserRepository.resolve(c, sub, "first@example.com"));
        UUID again = db.withConnection(c -> UserRepository.resolve(c, sub, "second@example.com"));

        assertThat(again).isEqualTo(first);
        assertThat(db.queryString("SELECT email FROM users WHERE id = ?", first)).isEqualTo("first@example.com");
    }

    @Test
    void aNewUserStartsOnTheFreePlan() {
        TestDatabase.TestUser user = db.createUser();

        assertThat(db.queryString("SELECT plan_id FROM users WHERE id = ?", user.id())).isEqualTo("free");
    }

    @Test
    void differentSubjectsAreDifferentUsers() {
        assertThat(db.createUser().id()).isNotEqualTo(db.createUser().id());
    }
}
