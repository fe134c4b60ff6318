// unit: DatabaseUrl parsing, no database
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void uriFormCarriesUserPasswordPortDatabaseAndQuery() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:s3cret@db.internal:6543/realstaging?sslmode=require");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/realstaging?sslmode=require");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("s3cret");
        assertThat(url.properties()).containsEntry("user", "app").containsEntry("password", "s3cret");
    }

    @Test
    void percentEncodedCredentialsAreDecodedAndPlusStaysPlus() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://me%40corp:p%3Aw+rd%2F1@localhost/db");

        assertThat(url.user()).isEqualTo("me@corp");
        assertThat(url.password()).isEqualTo("p:w+rd/1");
    }

    @Test
    void defaultsArePort5432AndDatabasePostgres() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@127.0.0.1");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
        assertThat(url.user()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
        assertThat(url.properties()).doesNotContainKey("password");
    }

    @Test
    void jdbcFormIsTakenAsIs() {
        DatabaseUrl url = DatabaseUrl.parse("  jdbc:postgresql://localhost:5433/app?user=u&password=p ");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5433/app?user=u&password=p");
        assertThat(url.user()).isNull();
    }

    @Test
    void everyConnectionDisablesServerSidePreparedStatementsForRdsProxy() {
        assertThat(DatabaseUrl.parse("postgresql://u@h/d").properties()).containsEntry("prepareThreshold", "0");
    }

    @Test
    void badInputIsRefusedWithAnExampleOfTheRightForm() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root@localhost/app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql://user:pass@host:port/db");
        assertThatThrownBy(() -> DatabaseUrl.parse("   "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DATABASE_URL is empty");
        assertThatThrownBy(() -> DatabaseUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withDatabaseSwapsOnlyTheDatabaseName() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@h:5432/test?sslmode=disable").withDatabase("rs_test_1");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/rs_test_1?sslmode=disable");
        assertThat(url.user()).isEqualTo("u");
        assertThat(url.password()).isEqualTo("p");
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(DatabaseUrl.parse("postgresql://u:hunter2@h/d").toString()).doesNotContain("hunter2");
    }
}
