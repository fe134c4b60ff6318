// unit: SnapStart priming of the presign function; no database (a refusing one proves it is never asked)
package ai.realstaging.presign;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.storage.Storage;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

class PresignPrimingTest {

    @Test
    void primingAnswers422WithoutTouchingTheDatabase() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nothing";
        AtomicInteger attempts = new AtomicInteger();
        Database database = new Database(() -> {
            attempts.incrementAndGet();
            return DriverManager.getConnection(url, "postgres", null);
        });
        S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .endpointOverride(java.net.URI.create("https://s3.us-east-1.amazonaws.com")) // not AWS_ENDPOINT_URL
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
                .build();
        PresignHandler handler = new PresignHandler(new UploadService(database, new Storage((software.amazon.awssdk.services.s3.S3Client) null, presigner, "bucket")),
                Identity.DEFAULT_ROLES_CLAIM);

        int status = priming(handler).prime();

        assertThat(status).isEqualTo(422);
        assertThat(attempts).as("database connection attempts").hasValue(0);
    }

    private static PresignPriming priming(PresignHandler handler) throws ReflectiveOperationException {
        Field field = PresignHandler.class.getDeclaredField("priming");
        field.setAccessible(true);
        return (PresignPriming) field.get(handler);
    }
}
