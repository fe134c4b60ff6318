// unit: SnapStart priming of the projects function; no database (a refusing one proves it is never asked)
package ai.realstaging.projects;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.testing.OfflineAws;
import java.lang.reflect.Field;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProjectsPrimingTest {

    @Test
    void primingAnswers422WithoutTouchingTheDatabase() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + OfflineAws.closedPort() + "/nothing";
        AtomicInteger attempts = new AtomicInteger();
        Database database = new Database(() -> {
            attempts.incrementAndGet();
            return DriverManager.getConnection(url, "postgres", null);
        });
        ProjectsHandler handler = new ProjectsHandler(new ProjectService(database, new Storage((software.amazon.awssdk.services.s3.S3Client) null, null, "bucket"),
                new ai.realstaging.common.queue.StagingQueue((software.amazon.awssdk.services.sqs.SqsClient) null, "queue")),
                Identity.DEFAULT_ROLES_CLAIM);

        Field field = ProjectsHandler.class.getDeclaredField("priming");
        field.setAccessible(true);
        int status = ((ProjectsPriming) field.get(handler)).prime();

        assertThat(status).isEqualTo(422);
        assertThat(attempts).as("database connection attempts").hasValue(0);
    }
}
