// unit: SnapStart priming of the presign function; no database (a refusing one proves it is never asked)
package ai.realstaging.presign;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.testing.OfflineAws;
import java.lang.reflect.Field;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PresignPrimingTest {

    @Test
    void primingAnswers422WithoutTouchingTheDatabase() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + OfflineAws.closedPort() + "/nothing";
        AtomicInteger attempts = new AtomicInteger();
        Database database = new Database(() -> {
            attempts.incrementAndGet();
            return DriverManager.getConnection(url, "postgres", null);
        });
        int status;
        try (OfflineAws aws = new OfflineAws()) {
            PresignHandler handler = new PresignHandler(new UploadService(database, aws.storage("bucket")),
                    Identity.DEFAULT_ROLES_CLAIM);
            status = priming(handler).prime();
        }

        assertThat(status).isEqualTo(422);
        assertThat(attempts).as("database connection attempts").hasValue(0);
    }

    private static PresignPriming priming(PresignHandler handler) throws ReflectiveOperationException {
        Field field = PresignHandler.class.getDeclaredField("priming");
        field.setAccessible(true);
        return (PresignPriming) field.get(handler);
    }
}
