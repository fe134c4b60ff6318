package ai.realstaging.common.db;

import ai.realstaging.common.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/** Opens physical PostgreSQL connections: a plain URL locally, an RDS IAM token per connection through RDS Proxy. */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;

    /** DB_IAM_AUTH=true with DB_HOST/DB_PORT/DB_NAME/DB_USER means RDS Proxy with IAM; otherwise DATABASE_URL. */
    static ConnectionFactory fromConfig(Config config) {
        if (config.getBoolean("DB_IAM_AUTH", false)) {
            RdsUtilities rds = RdsUtilities.builder()
                    .region(Region.of(config.region()))
                    .credentialsProvider(DefaultCredentialsProvider.builder().build())
                    .build();
            return iam(rds, config.require("DB_HOST"), config.getInt("DB_PORT", 5432),
                    config.require("DB_NAME"), config.require("DB_USER"));
        }
        return plain(DatabaseUrl.parse(config.get("DATABASE_URL")
                .orElseThrow(() -> new IllegalStateException(
                        "Set DATABASE_URL (postgresql://user:pass@host:port/db), or DB_IAM_AUTH=true with DB_HOST, DB_NAME, DB_USER"))));
    }

    static ConnectionFactory plain(DatabaseUrl url) {
        return () -> DriverManager.getConnection(url.jdbcUrl(), url.properties());
    }

    /**
     * IAM tokens live 15 minutes and only open a connection, so one is made for each new
     * connection and never during INIT (a SnapStart snapshot would carry a stale one).
     */
    static ConnectionFactory iam(RdsUtilities rds, String host, int port, String database, String user) {
        String jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        return () -> {
            String token = rds.generateAuthenticationToken(b -> b.hostname(host).port(port).username(user));
            Properties props = new Properties();
            props.setProperty("user", user);
            props.setProperty("password", token);
            // verify-full: the IAM token is a credential, so the proxy's certificate (Amazon's CA,
            // in the JDK trust store) and host name are checked, not only encrypted to.
            props.setProperty("sslmode", "verify-full");
            props.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
            props.setProperty("prepareThreshold", "0");
            props.setProperty("ApplicationName", "realstaging");
            return DriverManager.getConnection(jdbcUrl, props);
        };
    }
}
