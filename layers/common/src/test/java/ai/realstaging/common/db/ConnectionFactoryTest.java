// unit: RDS IAM connection properties and tokens, computed offline; no database, no AWS
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.config.Config;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

class ConnectionFactoryTest {
    /** Sees what DriverManager hands to drivers after the PostgreSQL driver failed on the closed port. */
    private final RecordingDriver recorder = new RecordingDriver();
    private final AtomicInteger credentialLookups = new AtomicInteger();
    private final AwsCredentialsProvider credentials = () -> {
        credentialLookups.incrementAndGet();
        return AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    };
    private final RdsUtilities rds = RdsUtilities.builder().region(Region.US_EAST_1).credentialsProvider(credentials).build();
    private int closedPort;

    @BeforeEach
    void setUp() throws Exception {
        org.postgresql.Driver.isRegistered();
        DriverManager.registerDriver(recorder);
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        DriverManager.deregisterDriver(recorder);
    }

    @Test
    void iamConnectionsRequireTlsAndNeverUseServerSidePreparedStatements() {
        ConnectionFactory factory = ConnectionFactory.iam(rds, "127.0.0.1", closedPort, "realstaging", "app_user");

        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class);

        assertThat(recorder.urls).containsExactly("jdbc:postgresql://127.0.0.1:" + closedPort + "/realstaging");
        Properties props = recorder.props.getFirst();
        assertThat(props.getProperty("user")).isEqualTo("app_user");
        assertThat(props.getProperty("sslmode")).isEqualTo("verify-full");
        assertThat(props.getProperty("sslfactory")).isEqualTo("org.postgresql.ssl.DefaultJavaSSLFactory");
        assertThat(props.getProperty("prepareThreshold")).isEqualTo("0");
    }

    @Test
    void thePasswordIsAPresignedConnectTokenForTheProxyHostAndUser() {
        ConnectionFactory factory = ConnectionFactory.iam(rds, "127.0.0.1", closedPort, "realstaging", "app_user");

        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class);

        String token = recorder.props.getFirst().getProperty("password");
        assertThat(token).startsWith("127.0.0.1:" + closedPort + "/?");
        assertThat(token).contains("Action=connect", "DBUser=app_user", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Credential=AKIDEXAMPLE%2F",
                "%2Fus-east-1%2Frds-db%2Faws4_request", "X-Amz-Expires=900", "X-Amz-Signature=");
    }

    @Test
    void aTokenIsMadeForEachNewConnectionAndNoneAtWiring() {
        ConnectionFactory factory = ConnectionFactory.iam(rds, "127.0.0.1", closedPort, "realstaging", "app_user");
        assertThat(credentialLookups).hasValue(0);

        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class);
        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class);

        assertThat(credentialLookups).hasValue(2);
        assertThat(recorder.props).hasSize(2).allSatisfy(p -> assertThat(p.getProperty("password")).contains("Action=connect"));
    }

    @Test
    void withoutIamAuthTheUrlComesFromDatabaseUrl() {
        ConnectionFactory factory = ConnectionFactory.fromConfig(Config.of(Map.of(
                "DATABASE_URL", "postgresql://local:pw@127.0.0.1:" + closedPort + "/dev")));

        assertThatThrownBy(factory::open).isInstanceOf(SQLException.class);

        assertThat(recorder.urls).containsExactly("jdbc:postgresql://127.0.0.1:" + closedPort + "/dev");
        assertThat(recorder.props.getFirst().getProperty("password")).isEqualTo("pw");
    }

    @Test
    void missingSettingsNameWhatToSet() {
        assertThatThrownBy(() -> ConnectionFactory.fromConfig(Config.of(Map.of())))
                .hasMessageContaining("DATABASE_URL").hasMessageContaining("DB_IAM_AUTH");
        assertThatThrownBy(() -> ConnectionFactory.fromConfig(Config.of(Map.of("DB_IAM_AUTH", "true"))))
                .hasMessageContaining("DB_HOST");
    }

    /** Accepts every URL, records it and its properties, and connects nowhere. */
    private static final class RecordingDriver implements Driver {
        final List<String> urls = new ArrayList<>();
        final List<Properties> props = new ArrayList<>();

        @Override
        public Connection connect(String url, Properties info) {
            urls.add(url);
            props.add(info);
            return null;
        }

        @Override public boolean acceptsURL(String url) { return true; }
        @Override public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) { return new DriverPropertyInfo[0]; }
        @Override public int getMajorVersion() { return 1; }
        @Override public int getMinorVersion() { return 0; }
        @Override public boolean jdbcCompliant() { return false; }
        @Override public Logger getParentLogger() { return Logger.getGlobal(); }
    }
}
