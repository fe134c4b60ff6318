// integration: real PostgreSQL (DATABASE_URL or embedded); Flyway migrations on a fresh database
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationsIT {
    private final TestDatabase db = TestDatabase.shared();

    @Test
    void aFreshDatabaseGetsEveryMigrationAndTheCoreTables() throws Exception {
        DatabaseUrl empty = db.createEmptyDatabase();

        int executed = Migrations.apply(empty);

        assertThat(executed).isGreaterThanOrEqualTo(1);
        try (Connection c = DriverManager.getConnection(empty.jdbcUrl(), empty.properties());
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            assertThat(tables).contains("users", "plans", "projects", "originals", "images", "usage_reservations");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(executed);
            }
        }
    }

    @Test
    void applyingAgainChangesNothing() {
        assertThat(Migrations.apply(db.url())).isZero();
    }

    @Test
    void thePlanCatalogueIsSeeded() {
        assertThat(db.queryLong("SELECT monthly_images FROM plans WHERE id = 'free'")).isEqualTo(10);
        assertThat(db.queryLong("SELECT monthly_images FROM plans WHERE id = 'pro'")).isEqualTo(100);
        assertThat(db.queryLong("SELECT price_cents FROM plans WHERE id = 'pro'")).isEqualTo(2900);
        assertThat(db.queryLong("SELECT monthly_images FROM plans WHERE id = 'business'")).isEqualTo(500);
        assertThat(db.queryLong("SELECT price_cents FROM plans WHERE id = 'business'")).isEqualTo(9900);
    }

    @Test
    void eachTestRunHasItsOwnDatabase() {
        assertThat(db.name()).startsWith("rs_test_");
        assertThat(db.queryString("SELECT current_database()")).isEqualTo(db.name());
    }
}
